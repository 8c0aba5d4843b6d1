import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'

// Small helpers shared by the benchmarks: each one is bounded in time, uses loopback only, and stops by itself.

export const tempDir = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix))

export function percentile (sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))] ?? Number.NaN
}

export interface LoopResult { count: number, seconds: number, perSecond: number, p50: number, p99: number, errors: number }

const ERROR_REPLY = Buffer.from('"error":{')

/** Sends `message` and waits for one reply, again and again, on each socket, for `seconds`; counts error replies. */
export async function roundTrips (sockets: WebSocket[], message: () => string, seconds: number): Promise<LoopResult> {
  const latencies: number[] = []
  let errors = 0
  const deadline = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => {
    let sentAt = 0
    const next = () => {
      if (performance.now() >= deadline) { socket.off('message', onMessage); resolve(); return }
      sentAt = performance.now()
      socket.send(message())
    }
    const onMessage = (data: Buffer) => {
      latencies.push(performance.now() - sentAt)
      if (data.includes(ERROR_REPLY)) errors++
      next()
    }
    socket.on('message', onMessage)
    next()
  })))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { count: latencies.length, seconds: elapsed, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors }
}

let setupId = 0
/** One JSON-RPC call on a raw socket, for setting a benchmark up (the timed loops never parse replies). */
export function rpc (socket: WebSocket, method: string, params?: unknown): Promise<any> {
  const id = `setup-${++setupId}`
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const reply = JSON.parse(data.toString())
      if (reply.id !== id) return
      socket.off('message', onMessage)
      if (reply.error) reject(new Error(`${method}: ${reply.error.message}`))
      else resolve(reply.result)
    }
    socket.on('message', onMessage)
    socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
  })
}

export function connect (url: string, count: number): Promise<WebSocket[]> {
  return Promise.all(Array.from({ length: count }, () => new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.once('open', () => resolve(socket))
    socket.once('error', reject)
  })))
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits)

const root = fileURLToPath(new URL('..', import.meta.url))

/** Resolves with the number a child prints when it is ready (its port). */
export function readyPort (child: ChildProcess, pattern: RegExp): Promise<number> {
  let out = ''
  return new Promise((resolve, reject) => {
    let ready = false
    child.stdout?.on('data', (chunk: Buffer) => {
      if (ready) return // still read, so the child never blocks on a full pipe, but no longer kept
      out += chunk.toString()
      const match = pattern.exec(out)
      if (match) { ready = true; resolve(Number(match[1])) }
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out.slice(-500)}`)))
  })
}

/** The bare `ws` echo server (bench/echo-server.ts) in its own process. */
export async function startEchoServer (): Promise<{ url: string, child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/echo-server.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  return { url: `ws://127.0.0.1:${await readyPort(child, /listening (\d+)/)}`, child }
}

/** The persona server as `npm start` runs it (compiled, bin/persona-mcp.js), in its own process, with benchmark settings on top of the defaults. */
export async function startServer (env: Record<string, string> = {}): Promise<{ url: string, child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/persona-mcp.js', 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', DATA_DIR: tempDir('bench-server-'), VECTOR_STORE: 'local', RATE_LIMITS: 'off', MAX_CONNECTIONS: '100000', OLLAMA_HOST: 'http://127.0.0.1:9', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  // a benchmark that fails half-way must not leave its server running
  process.once('exit', () => child.kill('SIGKILL'))
  process.once('unhandledRejection', (err) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exit(1) })
  return { url: `ws://127.0.0.1:${await readyPort(child, /listening at http:\/\/127\.0\.0\.1:(\d+)/)}/mcp`, child }
}
