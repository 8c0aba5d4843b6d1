import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { fmt, tempDir } from './lib.ts'

// Idle WebSocket connections held by one server process, and its resident memory per connection,
// beside a bare `ws` echo server holding the same number in its own process.

const TARGET = Number(process.argv[2] ?? 15_000)
const root = fileURLToPath(new URL('..', import.meta.url))
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN)

async function started (child: ChildProcess, pattern: RegExp): Promise<number> {
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

const echo = spawn(process.execPath, ['--import', 'tsx', 'bench/echo-server.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
const echoPort = await started(echo, /listening (\d+)/)
const base = await hold(`ws://127.0.0.1:${echoPort}`, echo.pid ?? 0)
echo.kill('SIGTERM')

const server = spawn(process.execPath, ['bin/persona-mcp.js', 'serve'], {
  cwd: root,
  env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', DATA_DIR: tempDir('bench-conn-'), VECTOR_STORE: 'local', RATE_LIMITS: 'off', MAX_CONNECTIONS: String(TARGET + 1000), OLLAMA_HOST: 'http://127.0.0.1:9' },
  stdio: ['ignore', 'pipe', 'inherit'],
})
const port = await started(server, /listening at http:\/\/127\.0\.0\.1:(\d+)/)
const ours = await hold(`ws://127.0.0.1:${port}/mcp`, server.pid ?? 0)
server.kill('SIGTERM')

process.stdout.write([
  `| ${TARGET} idle connections | held | seconds to open | RSS after, MB | RSS per connection, KB |`, '|---|---|---|---|---|',
  `| bare ws echo server (baseline) | ${base.open} | ${fmt(base.openSeconds, 1)} | ${fmt(base.rssMb, 0)} | ${fmt(base.perConnectionKb)} |`,
  `| persona server | ${ours.open} | ${fmt(ours.openSeconds, 1)} | ${fmt(ours.rssMb, 0)} | ${fmt(ours.perConnectionKb)} (${fmt(ours.perConnectionKb / base.perConnectionKb)}x) |`,
].join('\n') + '\n')
process.exit(0)
