import t from 'tap'
import type { Test } from 'tap'
import { build, listen } from '../helper.ts'

// Issue 11 item 7: one user's abandoned MCP HTTP sessions must not fill the server's connection limit.
const KEYS = [
  { user: 'alice', key: 'alice-client-key', scope: 'client' },
  { user: 'bob', key: 'bob-client-key', scope: 'client' },
]
const CAP = 3
const ACCEPT = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' }
const as = (key: string) => ({ ...ACCEPT, authorization: `Bearer ${key}` })

async function serve (t: Test) {
  const app = await build(t, { auth: { apiKeys: KEYS }, mcp: { maxSessionsPerUser: CAP }, server: { maxConnections: 5 } })
  return { app, url: new URL((await listen(app)).replace(/^ws:/, 'http:')) }
}

async function initialize (url: URL, key: string) {
  const res = await fetch(url, {
    method: 'POST', headers: as(key),
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'abandoner', version: '0' } } }),
  })
  const text = await res.text()
  return { status: res.status, sessionId: res.headers.get('mcp-session-id') ?? '', text }
}

async function ping (url: URL, key: string, sessionId: string): Promise<number> {
  const res = await fetch(url, {
    method: 'POST', headers: { ...as(key), 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
  })
  await res.text()
  return res.status
}

t.test('one user holds at most mcp.maxSessionsPerUser sessions: the oldest idle ones are evicted', async (t) => {
  const { app, url } = await serve(t)
  const sessions: string[] = []
  let most = 0
  for (let i = 0; i < CAP + 5; i++) {
    const opened = await initialize(url, 'alice-client-key')
    t.equal(opened.status, 200, `initialize ${i + 1} of ${CAP + 5} succeeds`)
    sessions.push(opened.sessionId)
    most = Math.max(most, app.runtime.connections)
  }
  t.ok(most <= CAP, `alice never held more than ${CAP} connections (at most ${most})`)
  const statuses = await Promise.all(sessions.map((id) => ping(url, 'alice-client-key', id)))
  t.same(statuses, [404, 404, 404, 404, 404, 200, 200, 200], 'the oldest are gone, the newest three live')
  const bob = await Promise.all([1, 2].map(() => initialize(url, 'bob-client-key')))
  t.same(bob.map((b) => b.status), [200, 200], 'another user still gets sessions under the server connection limit (5)')
})

t.test('with every session of the user busy, a new one is refused with a clear error', async (t) => {
  const { url } = await serve(t)
  const streams = new AbortController()
  t.teardown(() => streams.abort())
  for (let i = 0; i < CAP; i++) {
    const { sessionId } = await initialize(url, 'alice-client-key')
    // an open GET stream is a request under way: the session is not idle
    const stream = await fetch(url, { headers: { ...as('alice-client-key'), accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }, signal: streams.signal })
    t.equal(stream.status, 200)
  }
  const refused = await initialize(url, 'alice-client-key')
  t.equal(refused.status, 429)
  t.match(JSON.parse(refused.text), { jsonrpc: '2.0', id: null, error: { code: -32000, message: /Too many MCP sessions.*3 \(mcp.maxSessionsPerUser\)/, data: { reason: 'too_many_sessions', max_sessions: CAP } } })
  t.equal((await initialize(url, 'bob-client-key')).status, 200, 'other users are not affected')
})

t.test('initializes sent at once never take one user past the cap', async (t) => {
  const { app, url } = await serve(t)
  let most = 0
  const timer = setInterval(() => { most = Math.max(most, app.runtime.connections) }, 1)
  const statuses = (await Promise.all(Array.from({ length: 12 }, () => initialize(url, 'alice-client-key')))).map((r) => r.status)
  clearInterval(timer)
  t.ok(most <= CAP, `at most ${most} connections`)
  t.ok(statuses.filter((s) => s === 200).length >= CAP && statuses.every((s) => s === 200 || s === 429), `200 or 429 (${statuses.join(' ')})`)
})
