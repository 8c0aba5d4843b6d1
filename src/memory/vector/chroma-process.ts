import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

// The Chroma server bundled in the chromadb npm package (a native binding behind its CLI), run as a child
// process on a loopback port with its data under the data directory. Used when no vector.chromaUrl is set.

export interface ChromaProcessLogger {
  debug (obj: object, msg?: string): void
  info (obj: object, msg?: string): void
  warn (obj: object, msg?: string): void
}

export interface BundledChroma {
  url: string
  port: number
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited */
  stop (): Promise<void>
  /** stops it and starts it again on the same port and data */
  restart (): Promise<void>
}

const READY_TIMEOUT_MS = 30_000
const KILL_AFTER_MS = 5_000
const TAIL_LINES = 30

/** The CLI script of the installed chromadb package (its exports map hides dist/, so resolve the entry and walk). */
export function chromaCliPath (): string {
  try {
    const entry = createRequire(import.meta.url).resolve('chromadb') // .../chromadb/dist/cjs/chromadb.cjs
    const cli = path.resolve(path.dirname(entry), '..', 'cli.mjs')
    if (existsSync(cli)) return cli
  } catch { /* fall through to the project's own node_modules */ }
  return fileURLToPath(new URL('../../../node_modules/chromadb/dist/cli.mjs', import.meta.url))
}

/** A port that was free a moment ago: listen on 0, read it, close. */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export async function startBundledChroma ({ dataDir, log, port: wanted }: { dataDir: string, log: ChromaProcessLogger, port?: number }): Promise<BundledChroma> {
  const dir = path.resolve(dataDir, 'chroma')
  mkdirSync(dir, { recursive: true })
  const port = wanted ?? await freePort()
  const url = `http://127.0.0.1:${port}`
  const cli = chromaCliPath()
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  let stopping = false
  const tail: string[] = []

  // kills a child that would otherwise outlive a crashing parent
  const killOnExit = () => { child?.kill('SIGKILL') }

  async function start (): Promise<void> {
    tail.length = 0
    stopping = false
    const command = [process.execPath, cli, 'run', '--path', dir, '--host', '127.0.0.1', '--port', String(port)]
    // The server must not inherit NODE_OPTIONS: a preloaded hook that catches SIGTERM (tap's process tracking,
    // coverage) can never run in a process whose JS thread the native server blocks, so SIGTERM would do nothing.
    // Such tools also rewrite the env of whatever we spawn, hence the shell that drops it and then execs node
    // (same pid, so signals reach the server).
    const [file, ...args] = process.platform === 'win32' ? command : ['/bin/sh', '-c', 'unset NODE_OPTIONS; exec "$@"', 'chroma', ...command]
    const proc = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '', ANONYMIZED_TELEMETRY: 'False' },
    })
    child = proc
    let exitInfo: string | undefined
    exited = new Promise((resolve) => proc.once('exit', (code, signal) => {
      exitInfo = `exited with ${signal ?? `code ${code}`}`
      if (!stopping) log.warn({ url, exit: exitInfo, output: tail.slice(-5) }, 'bundled Chroma exited')
      process.off('exit', killOnExit)
      if (child === proc) child = undefined
      resolve()
    }))
    process.on('exit', killOnExit)
    for (const stream of [proc.stdout, proc.stderr]) {
      let partial = ''
      stream?.setEncoding('utf8').on('data', (text: string) => {
        const lines = (partial + text).split('\n')
        partial = lines.pop() ?? ''
        for (const raw of lines) {
          // the banner is ANSI-coloured ASCII art
          const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trimEnd()
          if (line.trim() === '') continue
          tail.push(line)
          if (tail.length > TAIL_LINES) tail.shift()
          log.debug({ chroma: line }, 'chroma output')
        }
      })
    }
    const deadline = Date.now() + READY_TIMEOUT_MS
    for (;;) {
      if (exitInfo !== undefined) throw new Error(`bundled Chroma ${exitInfo} before answering at ${url}:\n${tail.join('\n')}`)
      const ok = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false)
      if (ok) break
      if (Date.now() > deadline) {
        await stop()
        throw new Error(`bundled Chroma did not answer at ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${tail.join('\n')}`)
      }
      await sleep(100)
    }
    log.info({ url, dataDir: dir, pid: proc.pid }, 'bundled Chroma started')
  }

  async function stop (): Promise<void> {
    const proc = child
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return exited
    stopping = true
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), KILL_AFTER_MS)
    await exited
    clearTimeout(timer)
    log.info({ url }, 'bundled Chroma stopped')
  }

  await start()
  return { url, port, stop, async restart () { await stop(); await start() } }
}
