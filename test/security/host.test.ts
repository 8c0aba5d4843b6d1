import t from 'tap'
import { connect } from 'node:net'
import { build, listen } from '../helper.ts'
import { rawRequest } from './raw-request.ts'

// DNS rebinding: a page on evil.example whose name resolves to 127.0.0.1 reaches the socket, but names its own
// host and origin. Bound to loopback only loopback Host names (and server.allowedHosts) are served, on every
// face; browser Origins are checked against config and the server's own loopback origins, never against Host.

const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } })
const MCP = { accept: 'application/json, text/event-stream' }
const UPGRADE = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }

async function serve (t: Parameters<typeof build>[0], overrides: Record<string, Record<string, unknown>> = {}) {
  const app = await build(t, overrides)
  return Number(new URL(await listen(app)).port)
}

/** The status line of a request written by hand (node:http always sends a Host of its own). */
function statusLine (port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(`${head}\r\n\r\n`))
    let text = ''
    socket.on('data', (chunk) => { text += chunk.toString('latin1') })
    socket.on('end', () => resolve(text.split('\r\n', 1)[0] ?? ''))
    socket.on('error', reject)
  })
}

t.test('bound to loopback, a foreign Host gets 421 on every face, before auth and routing', async (t) => {
  const port = await serve(t) // no keys: every caller would be the anonymous admin
  const evil = { host: `evil.example.com:${port}`, origin: `http://evil.example.com:${port}` }
  for (const [method, path, headers, body] of [
    ['GET', '/health', {}, undefined],
    ['GET', '/admin/v1/personas', {}, undefined],
    ['POST', '/admin/v1/api-keys', {}, JSON.stringify({ user_id: 'mallory', scope: 'admin' })],
    ['GET', '/metrics', {}, undefined],
    ['GET', '/no-such-path', {}, undefined],
    ['POST', '/mcp', MCP, INITIALIZE],
    ['GET', '/mcp', UPGRADE, undefined],
  ] as const) {
    const res = await rawRequest(port, method, path, { ...headers, ...evil }, body)
    t.equal(res.status, 421, `${method} ${path}${headers === UPGRADE ? ' (WebSocket upgrade)' : ''}`)
    if (method !== 'GET' || path !== '/mcp') t.match(JSON.parse(res.body), { code: 'HOST_NOT_ALLOWED' })
  }
  for (const host of ['evil.example.com', 'localhost.evil.example', '127.0.0.1.nip.io', `localhost:${port}:1`]) {
    t.equal((await rawRequest(port, 'GET', '/health', { host })).status, 421, `Host "${host}"`)
  }
  t.match(await statusLine(port, 'GET /health HTTP/1.1\r\nHost: \r\nConnection: close'), / 4(00|21) /, 'an empty Host')
  t.match(await statusLine(port, 'GET /health HTTP/1.0'), / 421 /, 'no Host header at all')
  for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST', 'localhost']) {
    t.equal((await rawRequest(port, 'GET', '/health', { host })).status, 200, `Host "${host}" is served`)
  }
  const own = await rawRequest(port, 'POST', '/mcp', { ...MCP, host: `localhost:${port}`, origin: `http://localhost:${port}` }, INITIALIZE)
  t.equal(own.status, 200, 'MCP from the server\'s own loopback origin')
})

t.test('server.allowedHosts adds names; bound elsewhere it is the list (with loopback), unset any Host', async (t) => {
  const loopback = await serve(t, { server: { allowedHosts: ['Persona.Local'] } })
  t.equal((await rawRequest(loopback, 'GET', '/health', { host: 'persona.local:8000' })).status, 200)
  t.equal((await rawRequest(loopback, 'GET', '/health', { host: 'other.local' })).status, 421)

  const open = await serve(t, { server: { host: '0.0.0.0' }, auth: { allowAnonymous: true } })
  t.equal((await rawRequest(open, 'GET', '/health', { host: 'anything.example' })).status, 200, 'no list: any Host')

  const listed = await serve(t, { server: { host: '0.0.0.0', allowedHosts: ['api.example.com'] }, auth: { allowAnonymous: true } })
  t.equal((await rawRequest(listed, 'GET', '/health', { host: 'api.example.com' })).status, 200)
  t.equal((await rawRequest(listed, 'GET', '/health', { host: `127.0.0.1:${listed}` })).status, 200, 'local probes still work')
  t.equal((await rawRequest(listed, 'GET', '/health', { host: 'evil.example.com' })).status, 421)
})

t.test('Origins are checked against config and the server\'s own loopback origins, never against Host', async (t) => {
  const port = await serve(t, { server: { host: '0.0.0.0', allowedOrigins: ['https://console.example'] }, auth: { allowAnonymous: true } })
  const post = (headers: Record<string, string>, path = '/mcp') => rawRequest(port, 'POST', path, { ...MCP, ...headers }, INITIALIZE)
  // any Host is served here, so only the Origin rule stands between a rebinding page and MCP
  t.equal((await post({ host: `evil.example:${port}`, origin: `http://evil.example:${port}` })).status, 403, 'Origin equal to Host is no pass')
  t.equal((await post({ origin: 'http://evil.example' })).status, 403)
  t.equal((await post({ origin: `http://localhost:${port + 1}` })).status, 403, 'a loopback origin of another port')
  t.equal((await post({ origin: `http://localhost:${port}/path` })).status, 403, 'not an origin')
  t.equal((await post({ origin: `http://localhost:${port}` })).status, 200)
  t.equal((await post({ origin: `http://[::1]:${port}` })).status, 200)
  t.equal((await post({ origin: 'https://console.example' })).status, 200, 'a configured origin')
  t.equal((await post({})).status, 200, 'no Origin: not a browser')
  const encoded = await post({ origin: 'http://evil.example' }, '/%6Dcp')
  t.ok(encoded.status >= 400 && encoded.status < 500, `a foreign Origin at an encoded /mcp is refused too (${encoded.status})`)
  for (const path of ['/mcp', '/%6Dcp', '/mcp?x=1']) {
    const upgrade = await rawRequest(port, 'GET', path, { ...UPGRADE, origin: 'http://evil.example' })
    t.ok(upgrade.status === 403 || upgrade.status === 400, `and on the JSON-RPC WebSocket upgrade at ${path} (${upgrade.status})`)
  }
  t.equal((await rawRequest(port, 'GET', '/mcp', { ...UPGRADE, origin: `http://127.0.0.1:${port}` })).status, 101, 'the own origin upgrades')
})
