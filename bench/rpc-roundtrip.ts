import { WebSocketServer } from 'ws'
import { buildApp } from '../src/app.ts'
import { parseConfig } from '../src/config/index.ts'
import { connect, fmt, roundTrips, tempDir, type LoopResult } from './lib.ts'

// JSON-RPC round trips of a cheap method (persona.list) on the real server, beside a raw `ws` echo
// server answering the same frames in the same process: the ratio is the cost of our whole stack.

const SECONDS = Number(process.argv[2] ?? 5)
const CONNECTIONS = (process.argv[3] ?? '1,100').split(',').map(Number)

const app = await buildApp(parseConfig({
  server: { port: 0, logLevel: 'warn', dataDir: tempDir('bench-rpc-'), maxConnections: 100_000 },
  vector: { store: 'local' },
  rateLimits: { enabled: false },
  ollama: { host: 'http://127.0.0.1:9' },
}))
await app.listen({ host: '127.0.0.1', port: 0 })
const appUrl = `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/mcp`

const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 })
echo.on('connection', (socket) => socket.on('message', (data) => socket.send(data)))
await new Promise((resolve) => echo.once('listening', resolve))
const echoUrl = `ws://127.0.0.1:${(echo.address() as { port: number }).port}`

let id = 0
const request = () => JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'persona.list' })

const row = (name: string, r: LoopResult) => `| ${name} | ${fmt(r.perSecond, 0)} | ${fmt(r.p50, 3)} | ${fmt(r.p99, 3)} |`
const lines = ['| run | round trips/s | p50 ms | p99 ms |', '|---|---|---|---|']
for (const n of CONNECTIONS) {
  const [echoSockets, appSockets] = [await connect(echoUrl, n), await connect(appUrl, n)]
  await roundTrips(appSockets, request, 1) // warm-up
  await roundTrips(echoSockets, request, 1)
  const e = await roundTrips(echoSockets, request, SECONDS)
  const a = await roundTrips(appSockets, request, SECONDS)
  lines.push(row(`ws echo, ${n} conn`, e), row(`persona.list, ${n} conn`, a), `| ratio at ${n} conn | **${fmt(a.perSecond / e.perSecond)}x** | | |`)
  for (const s of [...echoSockets, ...appSockets]) s.terminate()
}
process.stdout.write(`${lines.join('\n')}\n`)
echo.close()
await app.close()
