#!/usr/bin/env node
// Compiles the server (src/, plugins/) to dist/ with tsc. `node bin/build.js` builds (npm run build, postinstall);
// bin/persona-mcp.js calls ensureBuilt(), which builds only when dist/ is missing or older than a source.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { hostname } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SOURCE_DIRS = ['src', 'plugins']
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json']
const stampOf = (root) => path.join(root, 'dist', '.built')

/** A log line as the server writes them (pino's JSON), on stderr: a stdio client reads stdout as protocol. */
export function logLine (level, msg, fields = {}) {
  const levels = { info: 30, warn: 40, fatal: 60 }
  process.stderr.write(`${JSON.stringify({ level: levels[level], time: Date.now(), pid: process.pid, hostname: hostname(), ...fields, msg })}\n`)
}

/** Every .ts file under the source folders (a few hundred stats: a few milliseconds). */
function * sources (dir, depth = 0) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (depth === 0 && !SOURCE_DIRS.includes(entry.name)) continue
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) yield * sources(file, depth + 1)
    else if (entry.name.endsWith('.ts')) yield file
  }
}

const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0

/** Why dist/ must be (re)built, or null when it is up to date. An image that ships dist/ without sources never is. */
export function staleReason (root = ROOT) {
  if (!existsSync(path.join(root, 'src', 'server.ts'))) return null
  const built = mtime(stampOf(root))
  if (built === 0) return 'dist/ has not been built'
  for (const file of [...CONFIG_FILES.map((f) => path.join(root, f)), ...sources(root)]) {
    if (mtime(file) > built) return `${path.relative(root, file)} changed`
  }
  return null
}

/**
 * Type-checking is `npm run typecheck`'s job (CI runs it); here tsc only emits (--noCheck): 4 s instead of 25,
 * and a type error in a file being edited does not stop a server from starting. Its output goes to stderr,
 * because in stdio mode stdout carries the MCP protocol.
 */
export function build (root = ROOT) {
  let tsc
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  } catch {
    throw new Error('cannot build dist/: TypeScript is not installed (run `npm install` with dev dependencies, then `npm run build`)')
  }
  const started = Date.now()
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: root, stdio: ['ignore', 2, 2] })
  if (run.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${run.status ?? run.signal})`)
  removeOrphans(root)
  writeFileSync(stampOf(root), '')
  // the stamp says when the build began: a source saved while tsc ran is newer, and the next start rebuilds
  utimesSync(stampOf(root), started / 1000, started / 1000)
  return Date.now() - started
}

/** Compiled files whose source is gone (a module moved or deleted): nothing may import them by mistake. */
export function removeOrphans (root = ROOT, dir = path.join(root, 'dist')) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) { removeOrphans(root, file); continue }
    const source = /^(.*)\.js(\.map)?$/.exec(path.relative(path.join(root, 'dist'), file))?.[1]
    if (source !== undefined && !existsSync(path.join(root, `${source}.ts`))) unlinkSync(file)
  }
}

/**
 * Builds dist/ when it is stale. Several processes may start at once (parallel tests): one builds under a
 * lock folder, the others wait for it and then find dist/ fresh. A lock left by a killed build expires.
 */
export async function ensureBuilt () {
  const lock = path.join(ROOT, 'dist.lock')
  let reason = staleReason()
  if (reason === null) return
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
      if (Date.now() - mtime(lock) > 120_000) rmSync(lock, { recursive: true, force: true })
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  try {
    reason = staleReason()
    if (reason === null) return
    logLine('info', 'building dist/', { reason })
    logLine('info', 'built dist/', { ms: build() })
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // an image build installs dependencies before it copies the sources: the Dockerfile builds later
  if (!existsSync(path.join(ROOT, 'src', 'server.ts'))) process.exit(0)
  const ms = build()
  process.stderr.write(`built dist/ in ${(ms / 1000).toFixed(1)} s\n`)
}
