import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
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
