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

export interface LoopResult { count: number, seconds: number, perSecond: number, p50: number, p99: number }

/** Sends `message` and waits for one reply, again and again, on each socket, for `seconds`. */
export async function roundTrips (sockets: WebSocket[], message: () => string, seconds: number): Promise<LoopResult> {
  const latencies: number[] = []
  const deadline = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => {
    let sentAt = 0
    const next = () => {
      if (performance.now() >= deadline) { socket.off('message', onMessage); resolve(); return }
      sentAt = performance.now()
      socket.send(message())
    }
    const onMessage = () => { latencies.push(performance.now() - sentAt); next() }
    socket.on('message', onMessage)
    next()
  })))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { count: latencies.length, seconds: elapsed, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
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
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = pattern.exec(out)
      if (match) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out.slice(-500)}`)))
  })
}

/** The bare `ws` echo server (bench/echo-server.ts) in its own process. */
export async function startEchoServer (): Promise<{ url: string, child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/echo-server.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  return { url: `ws://127.0.0.1:${await readyPort(child, /listening (\d+)/)}`, child }
}

/** The persona server as `npm start` runs it, in its own process, with benchmark settings on top of the defaults. */
export async function startServer (env: Record<string, string> = {}): Promise<{ url: string, child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/persona-mcp.js', 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', DATA_DIR: tempDir('bench-server-'), VECTOR_STORE: 'local', RATE_LIMITS: 'off', MAX_CONNECTIONS: '100000', OLLAMA_HOST: 'http://127.0.0.1:9', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return { url: `ws://127.0.0.1:${await readyPort(child, /listening at http:\/\/127\.0\.0\.1:(\d+)/)}/mcp`, child }
}
