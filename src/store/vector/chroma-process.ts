import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { PROJECT_ROOT } from '../../util/project-root.ts'
import { removePidFile, stopOrphans, writePidFile } from './chroma-orphans.ts'

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
  /** the Chroma server's process id while it runs */
  readonly pid: number | undefined
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited */
  stop (): Promise<void>
  /** stops it and starts it again on the same port and data */
  restart (): Promise<void>
}

const READY_TIMEOUT_MS = 30_000
const KILL_AFTER_MS = 5_000
const TAIL_LINES = 30
const PID_LINE = /^chroma-guardian: pid (\d+)$/

/**
 * The shell between us and Chroma (POSIX systems). It drops NODE_OPTIONS: a preloaded hook that catches SIGTERM
 * (tap's process tracking, coverage) can never run in a process whose JS thread the native server blocks. And it
 * ties Chroma's life to ours: it holds the read end of a pipe whose only writer is this process, and when that
 * reaches EOF (we exited, however: even kill -9) it stops Chroma. SIGTERM to it is passed on to Chroma.
 */
const GUARDIAN = `unset NODE_OPTIONS
exec 3<&0
"$@" </dev/null &
child=$!
echo "chroma-guardian: pid $child"
(while read -r _; do :; done <&3; kill -TERM $child 2>/dev/null; sleep 5; kill -0 $child 2>/dev/null && kill -KILL $child) &
watcher=$!
exec 3<&-
trap 'kill -TERM $child 2>/dev/null' TERM INT
while :; do wait $child; status=$?; kill -0 $child 2>/dev/null || break; done
kill $watcher 2>/dev/null
exit $status`

/** The CLI script of the installed chromadb package (its exports map hides dist/, so resolve the entry and walk). */
export function chromaCliPath (): string {
  try {
    const entry = createRequire(import.meta.url).resolve('chromadb') // .../chromadb/dist/cjs/chromadb.cjs
    const cli = path.resolve(path.dirname(entry), '..', 'cli.mjs')
    if (existsSync(cli)) return cli
  } catch { /* fall through to the project's own node_modules */ }
  return path.join(PROJECT_ROOT, 'node_modules', 'chromadb', 'dist', 'cli.mjs')
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
  /** the Chroma server's own pid (under the guardian shell) */
  let serverPid: number | undefined
  let exited: Promise<void> = Promise.resolve()
  let stopping = false
  const tail: string[] = []

  const guarded = process.platform !== 'win32'
  // the guardian's group (itself, Chroma, its watcher) gets the signal; on Windows there is only Chroma
  const kill = (proc: ChildProcess, name: NodeJS.Signals) => {
    try {
      if (guarded && proc.pid !== undefined) process.kill(-proc.pid, name)
      else proc.kill(name)
    } catch { /* already gone */ }
  }
  // a normal exit closes the guardian's pipe too; this is quicker
  const killOnExit = () => { if (child) kill(child, 'SIGKILL'); removePidFile(dir) }

  async function start (): Promise<void> {
    tail.length = 0
    stopping = false
    serverPid = undefined
    // an earlier server's Chroma (it crashed before stopping it), or one started by hand, must not hold the directory
    await stopOrphans(dir, log)
    const command = [process.execPath, cli, 'run', '--path', dir, '--host', '127.0.0.1', '--port', String(port)]
    const [file, ...args] = guarded ? ['/bin/sh', '-c', GUARDIAN, 'chroma-guardian', ...command] : command
    const proc = spawn(file, args, {
      // stdin: the pipe the guardian watches (nothing is ever written to it)
      stdio: [guarded ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: guarded,
      env: { ...process.env, NODE_OPTIONS: '', ANONYMIZED_TELEMETRY: 'False' },
    })
    if (!guarded) serverPid = proc.pid
    child = proc
    let exitInfo: string | undefined
    exited = new Promise((resolve) => proc.once('exit', (code, signal) => {
      exitInfo = `exited with ${signal ?? `code ${code}`}`
      if (!stopping) log.warn({ url, exit: exitInfo, output: tail.slice(-5) }, 'bundled Chroma exited')
      process.off('exit', killOnExit)
      if (child === proc) { child = undefined; removePidFile(dir) }
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
          const pid = PID_LINE.exec(line)
          if (pid) { serverPid = Number(pid[1]); continue }
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
    if (serverPid !== undefined) writePidFile(dir, { pid: serverPid, port, owner: process.pid })
    log.info({ url, dataDir: dir, pid: serverPid }, 'bundled Chroma started')
  }

  async function stop (): Promise<void> {
    const proc = child
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return exited
    stopping = true
    kill(proc, 'SIGTERM')
    const timer = setTimeout(() => kill(proc, 'SIGKILL'), KILL_AFTER_MS)
    await exited
    clearTimeout(timer)
    log.info({ url }, 'bundled Chroma stopped')
  }

  await start()
  return { url, port, get pid () { return serverPid }, stop, async restart () { await stop(); await start() } }
}
