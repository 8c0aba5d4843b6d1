import t from 'tap'
import net from 'node:net'
import WebSocket from 'ws'
import { createSendBound } from '../../src/transport/send-bound.ts'
import { build, listen, type TestApp } from '../helper.ts'

// Issue 11 item 3: a client that never reads must not make the server hold its replies without end.
const MAX = 128 * 1024
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const DISCOVER = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'rpc.discover' })

async function until (check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) return false
    await sleep(5)
  }
  return true
}

/** the server's side of the one WebSocket open on it, and the most it ever had queued for the client */
function watchServerSocket (app: TestApp) {
  const [socket] = [...app.websocketServer.clients]
  if (socket === undefined) throw new Error('no server-side socket')
  let peak = 0
  // measured right after each send, before anything is written out
  const send = socket.send.bind(socket) as (...args: unknown[]) => void
  socket.send = ((...args: unknown[]) => { send(...args); peak = Math.max(peak, socket.bufferedAmount) }) as typeof socket.send
  return { socket, get peak () { return peak } }
}

/** a client that stops reading at once (nothing is taken from the kernel, so the server's sends back up) */
async function stalledClient (url: string, protocol?: string): Promise<WebSocket> {
  const client = new WebSocket(url, protocol)
  await new Promise((resolve, reject) => { client.once('open', resolve); client.once('error', reject) })
  client.pause()
  return client
}

/** sends until the server's socket leaves OPEN or `limit` requests went out */
async function flood (client: WebSocket, server: WebSocket, message: (i: number) => string, limit: number): Promise<number> {
  let sent = 0
  while (server.readyState === server.OPEN && sent < limit) {
    for (let i = 0; i < 20; i++) client.send(message(sent++))
    await sleep(2)
  }
  return sent
}

const closeOf = (client: WebSocket) => new Promise<{ code: number, reason: string }>((resolve) => {
  client.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  setTimeout(() => resolve({ code: 0, reason: 'not closed within 20 s' }), 20_000).unref()
})

t.test('JSON-RPC over WebSocket: a client that never reads is stopped, then closed with 1008', async (t) => {
  const app = await build(t, { server: { maxBufferedBytes: MAX, slowClientGraceMs: 300 } })
  const client = await stalledClient(await listen(app))
  t.teardown(() => client.terminate())
  const server = watchServerSocket(app)
  let replies = 0
  client.on('message', () => { replies++ })
  const rssBefore = process.memoryUsage().rss
  const sent = await flood(client, server.socket, () => DISCOVER, 3000)
  const rssGrowth = process.memoryUsage().rss - rssBefore
  t.not(server.socket.readyState, server.socket.OPEN, `the server gave up on the client (after ${sent} requests of 58 KB replies)`)
  t.ok(server.peak < 3 * MAX, `the server never held more than 3x the bound for it (peak ${server.peak} bytes)`)
  t.ok(rssGrowth < 64 * 1024 * 1024, `RSS grew ${(rssGrowth / 1048576).toFixed(1)} MB (unbounded: ~${(sent * 58 / 1024).toFixed(0)} MB)`)
  const closed = closeOf(client)
  client.resume()
  t.match(await closed, { code: 1008, reason: /too slow/ }, 'once it reads, the client finds a 1008 close with the reason')
  t.ok(replies < sent, `requests read after the bound was passed were never answered (${replies} of ${sent})`)
})

t.test('a client that is only briefly behind gets every reply', async (t) => {
  const app = await build(t, { server: { maxBufferedBytes: MAX, slowClientGraceMs: 10_000 } })
  const client = await stalledClient(await listen(app))
  t.teardown(() => client.terminate())
  const server = watchServerSocket(app)
  const ids = new Set<number>()
  client.on('message', (data) => { ids.add(JSON.parse(data.toString()).id) })
  for (let id = 0; id < 400; id++) client.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'rpc.discover' }))
  t.ok(await until(() => server.socket.isPaused, 5000), 'the server stopped reading the client')
  await sleep(100)
  client.resume()
  t.ok(await until(() => ids.size === 400, 10_000), `all 400 requests were answered once it read again (${ids.size})`)
  t.equal(server.socket.readyState, server.socket.OPEN, 'and the connection stays open')
})

t.test('MCP over WebSocket: the same bound', async (t) => {
  const app = await build(t, { server: { maxBufferedBytes: MAX, slowClientGraceMs: 300 } })
  const client = await stalledClient(await listen(app), 'mcp')
  t.teardown(() => client.terminate())
  const server = watchServerSocket(app)
  client.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'slow', version: '0' } } }))
  const sent = await flood(client, server.socket, (i) => JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'tools/list' }), 3000)
  t.not(server.socket.readyState, server.socket.OPEN, `the server gave up on the client (after ${sent} tools/list)`)
  t.ok(server.peak < 3 * MAX, `the server never held more than 3x the bound for it (peak ${server.peak} bytes)`)
  const closed = closeOf(client)
  client.resume()
  t.match(await closed, { code: 1008, reason: /too slow/ })
})

t.test('MCP Streamable HTTP: a session whose responses are never read is ended', async (t) => {
  const app = await build(t, { server: { maxBufferedBytes: MAX, slowClientGraceMs: 300 } })
  const base = new URL((await listen(app)).replace(/^ws:/, 'http:'))
  const headers = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' }
  const init = await fetch(base, {
    method: 'POST', headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'slow', version: '0' } } }),
  })
  const sessionId = init.headers.get('mcp-session-id') ?? ''
  await init.text()
  const session = { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' }
  // batches of 100 tools/list on raw sockets that are never read: each response would be ~100 x the tool list
  const body = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'tools/list' })))
  const sockets = await Promise.all([1, 2, 3, 4].map(() => new Promise<net.Socket>((resolve) => {
    const socket = net.connect(Number(base.port), '127.0.0.1', () => resolve(socket))
    socket.on('error', () => {})
  })))
  t.teardown(() => { for (const socket of sockets) socket.destroy() })
  for (const socket of sockets) {
    socket.pause()
    const head = Object.entries({ ...session, host: base.host, 'content-length': String(Buffer.byteLength(body)) }).map(([k, v]) => `${k}: ${v}`).join('\r\n')
    socket.write(`POST /mcp HTTP/1.1\r\n${head}\r\n\r\n${body}`)
  }
  const ping = () => fetch(base, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 'p', method: 'ping' }) })
    .then(async (res) => { await res.text(); return res.status })
  const statuses: number[] = []
  for (let i = 0; i < 50 && statuses.at(-1) !== 404; i++) { statuses.push(await ping()); await sleep(100) }
  t.equal(statuses.at(-1), 404, `the session is gone (404) once its unread responses passed twice the bound (pings: ${statuses.join(' ')})`)
  t.ok(statuses.every((s) => s === 404 || s === 503 || s === 200), 'before that, its requests are refused (503) or served')
})

t.test('the bound itself: pause past it, resume under it, close after the grace period or at twice the bound', async (t) => {
  let bytes = 0
  let clock = 0
  const events: string[] = []
  const make = () => createSendBound({
    maxBytes: 100, graceMs: 1000, buffered: () => bytes, now: () => clock,
    pause: () => events.push('pause'), resume: () => events.push('resume'), overflow: (reason) => events.push(`close: ${reason}`),
  })
  const bound = make()
  bytes = 150
  t.equal(bound.check(), false)
  t.ok(bound.over)
  bytes = 50
  t.equal(bound.check(), true)
  bytes = 250
  t.equal(bound.check(), false, 'one large reply over twice the bound only pauses')
  bytes = 260
  bound.check()
  t.same(events, ['pause', 'resume', 'pause', 'close: too slow: over 200 bytes waiting to be sent'], 'more while lagging closes at once')
  t.equal(bound.check(), false, 'and it stays closed')
  events.length = 0
  const slow = make()
  bytes = 150
  slow.check()
  clock = 999
  slow.check()
  clock = 1000
  slow.check()
  t.same(events, ['pause', 'close: too slow: over 100 bytes waiting to be sent for 1000 ms'])
  slow.dispose()
})
