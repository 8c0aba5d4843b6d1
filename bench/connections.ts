import { readFileSync } from 'node:fs'
import WebSocket from 'ws'
import { fmt, startEchoServer, startServer } from './lib.ts'

// Idle WebSocket connections held by one server process, and its resident memory per connection,
// beside a bare `ws` echo server holding the same number in its own process.

const TARGET = Number(process.argv[2] ?? 15_000)
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN)

async function hold (url: string, pid: number) {
  const gc = async () => { await new Promise((resolve) => setTimeout(resolve, 1500)) }
  await gc()
  const before = rssKb(pid)
  const sockets: WebSocket[] = []
  const started = performance.now()
  for (let i = 0; i < TARGET; i += 500) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(500, TARGET - i) }, () => new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false })
      socket.once('open', () => resolve(socket))
      socket.once('error', reject)
    })))
    for (const r of batch) if (r.status === 'fulfilled') sockets.push(r.value)
    if (performance.now() - started > 120_000) break
  }
  const openSeconds = (performance.now() - started) / 1000
  await gc()
  const after = rssKb(pid)
  const open = sockets.filter((s) => s.readyState === WebSocket.OPEN).length
  for (const s of sockets) s.terminate()
  return { open, openSeconds, perConnectionKb: (after - before) / Math.max(1, open), rssMb: after / 1024 }
}

const echo = await startEchoServer()
const base = await hold(echo.url, echo.child.pid ?? 0)
echo.child.kill('SIGTERM')

const server = await startServer({ MAX_CONNECTIONS: String(TARGET + 1000) })
const ours = await hold(server.url, server.child.pid ?? 0)
server.child.kill('SIGTERM')

process.stdout.write([
  `| ${TARGET} idle connections | held | seconds to open | RSS after, MB | RSS per connection, KB |`, '|---|---|---|---|---|',
  `| bare ws echo server (baseline) | ${base.open} | ${fmt(base.openSeconds, 1)} | ${fmt(base.rssMb, 0)} | ${fmt(base.perConnectionKb)} |`,
  `| persona server | ${ours.open} | ${fmt(ours.openSeconds, 1)} | ${fmt(ours.rssMb, 0)} | ${fmt(ours.perConnectionKb)} (${fmt(ours.perConnectionKb / base.perConnectionKb)}x) |`,
].join('\n') + '\n')
process.exit(0)
