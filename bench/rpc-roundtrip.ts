import { connect, fmt, roundTrips, startEchoServer, startServer, type LoopResult } from './lib.ts'

// JSON-RPC round trips of a cheap method (ping, and persona.list) on the real server, beside a raw `ws` echo
// server answering the same frames, each server in its own process: the ratio is the cost of our whole stack.

const SECONDS = Number(process.argv[2] ?? 5)
const CONNECTIONS = (process.argv[3] ?? '1,100').split(',').map(Number)

// each server in its own process, as deployed; this process is only the client
const app = await startServer()
const appUrl = app.url
const echo = await startEchoServer()
const echoUrl = echo.url

let id = 0
const call = (method: string) => () => JSON.stringify({ jsonrpc: '2.0', id: ++id, method })
// `ping` is the cheap method the target speaks of; persona.list (about 700 bytes back) shows a real read
const METHODS = ['ping', 'persona.list']

const row = (name: string, r: LoopResult) => `| ${name} | ${fmt(r.perSecond, 0)} | ${fmt(r.p50, 3)} | ${fmt(r.p99, 3)} |`
const lines = ['| run | round trips/s | p50 ms | p99 ms |', '|---|---|---|---|']
for (const n of CONNECTIONS) {
  const [echoSockets, appSockets] = [await connect(echoUrl, n), await connect(appUrl, n)]
  const echoRequest = call('ping')
  await roundTrips(echoSockets, echoRequest, 1) // warm-up
  const e = await roundTrips(echoSockets, echoRequest, SECONDS)
  lines.push(row(`ws echo, ${n} conn`, e))
  for (const method of METHODS) {
    await roundTrips(appSockets, call(method), 1)
    const a = await roundTrips(appSockets, call(method), SECONDS)
    lines.push(row(`${method}, ${n} conn`, a), `| ${method} / echo at ${n} conn | **${fmt(a.perSecond / e.perSecond)}x** | | |`)
  }
  for (const s of [...echoSockets, ...appSockets]) s.terminate()
}
process.stdout.write(`${lines.join('\n')}\n`)
echo.child.kill('SIGTERM')
app.child.kill('SIGTERM')
