#!/usr/bin/env node
// Compiles the server (src/, plugins/) to dist/ with tsc. `node bin/build.js` builds (npm run build, postinstall);
// bin/persona-mcp.js calls ensureBuilt(), which builds only when dist/ is missing or older than a source.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = path.join(root, 'dist')
const stamp = path.join(dist, '.built')
const lock = path.join(root, 'dist.lock')
const SOURCE_DIRS = ['src', 'plugins']
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json']

/** Every .ts file under the source folders (a few hundred stats: a few milliseconds). */
function * sources (dir = root, depth = 0) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (depth === 0 && !SOURCE_DIRS.includes(entry.name)) continue
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) yield * sources(file, depth + 1)
    else if (entry.name.endsWith('.ts')) yield file
  }
}

const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0

/** Why dist/ must be (re)built, or null when it is up to date. An image that ships dist/ without sources never is. */
export function staleReason () {
  if (!existsSync(path.join(root, 'src', 'server.ts'))) return null
  const built = mtime(stamp)
  if (built === 0) return 'dist/ has not been built'
  for (const file of [...CONFIG_FILES.map((f) => path.join(root, f)), ...sources()]) {
    if (mtime(file) > built) return `${path.relative(root, file)} changed`
  }
  return null
}

/**
 * Type-checking is `npm run typecheck`'s job (CI runs it); here tsc only emits (--noCheck): 4 s instead of 25,
 * and a type error in a file being edited does not stop a server from starting. Its output goes to stderr,
 * because in stdio mode stdout carries the MCP protocol.
 */
export function build () {
  let tsc
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  } catch {
    throw new Error('cannot build dist/: TypeScript is not installed (run `npm install` with dev dependencies, then `npm run build`)')
  }
  const started = Date.now()
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: root, stdio: ['ignore', 2, 2] })
  if (run.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${run.status ?? run.signal})`)
  removeOrphans()
  writeFileSync(stamp, '')
  // the stamp says when the build began: a source saved while tsc ran is newer, and the next start rebuilds
  utimesSync(stamp, started / 1000, started / 1000)
  return Date.now() - started
}

/** Compiled files whose source is gone (a module moved or deleted): nothing may import them by mistake. */
function removeOrphans (dir = dist) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) { removeOrphans(file); continue }
    const source = /^(.*)\.js(\.map)?$/.exec(path.relative(dist, file))?.[1]
    if (source !== undefined && !existsSync(path.join(root, `${source}.ts`))) unlinkSync(file)
  }
}

/**
 * Builds dist/ when it is stale. Several processes may start at once (parallel tests): one builds under a
 * lock folder, the others wait for it and then find dist/ fresh. A lock left by a killed build expires.
 */
export async function ensureBuilt () {
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
    process.stderr.write(`persona-mcp: building dist/ (${reason}) ...\n`)
    const ms = build()
    process.stderr.write(`persona-mcp: built dist/ in ${(ms / 1000).toFixed(1)} s\n`)
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // an image build installs dependencies before it copies the sources: the Dockerfile builds later
  if (!existsSync(path.join(root, 'src', 'server.ts'))) process.exit(0)
  const ms = build()
  process.stderr.write(`built dist/ in ${(ms / 1000).toFixed(1)} s\n`)
}
