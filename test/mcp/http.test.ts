import t from 'tap'
import type { Test } from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen, type TestApp } from '../helper.ts'
import { allTools, exercise } from './flow.ts'

const ACCEPT = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' }

async function serve (t: Test, overrides: Record<string, Record<string, unknown>> = {}) {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const app = await build(t, { ...overrides, ollama: { host: fixture.url } })
  const url = new URL((await listen(app)).replace(/^ws:/, 'http:'))
  return { app, url }
}

async function connect (t: Test, url: URL, headers: Record<string, string> = {}) {
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } })
  const client = new Client({ name: 'http-test', version: '1.0.0' })
  await client.connect(transport)
  t.teardown(() => client.close())
  return { client, transport }
}

/** a hand-made initialize: the SDK client always asks for the latest revision */
async function initialize (url: URL, protocolVersion: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...ACCEPT, ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }),
  })
  const raw = await res.text()
  const data = raw.split('\n').find((line) => line.startsWith('data: '))
  return { res, sessionId: res.headers.get('mcp-session-id'), message: data === undefined ? undefined : JSON.parse(data.slice(6)) }
}

const names = (app: TestApp) => app.rpc.registry.list().map((d) => d.name)

t.test('Streamable HTTP: the SDK client initialises, lists, calls, reads and gets prompts', async (t) => {
  const { app, url } = await serve(t, { mcp: { pageSize: 10 } })
  const { client: first } = await connect(t, url)
  const { client: second } = await connect(t, url)
  const { pages } = await allTools(first)
  t.ok(pages > 1, `tools/list is paginated (${pages} pages of 10)`)
  await exercise(t, first, second, names(app))

  // the SDK client checks every structuredContent against the tool's outputSchema (it throws on a mismatch)
  const { tools } = await allTools(first)
  const queries = tools.filter((tool) => tool.annotations?.readOnlyHint && tool.inputSchema.required === undefined)
  t.ok(queries.length > 15, `${queries.length} queries without required arguments`)
  for (const tool of queries) {
    const result = await first.callTool({ name: tool.name, arguments: {} })
    t.notOk(result.isError, `${tool.name} answers with valid structured content`)
  }
})

t.test('protocol revisions are negotiated in initialize', async (t) => {
  const { url } = await serve(t)
  for (const version of ['2025-06-18', '2025-11-25']) {
    const { res, sessionId, message } = await initialize(url, version)
    t.equal(res.status, 200)
    t.ok(sessionId, 'a session id is issued')
    t.equal(message.result.protocolVersion, version, `${version} is accepted as asked`)
  }
  const { message } = await initialize(url, '1999-01-01')
  t.equal(message.result.protocolVersion, '2025-11-25', 'an unknown revision gets the latest one')
})

t.test('sessions: unknown and ended ids get 404, a foreign Origin 403', async (t) => {
  const { url } = await serve(t, { server: { allowedOrigins: ['http://inspector.example:6274'] } })
  const ping = (sessionId: string, headers: Record<string, string> = {}) => fetch(url, {
    method: 'POST', headers: { ...ACCEPT, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
  })
  const unknown = await ping('no-such-session')
  t.equal(unknown.status, 404)
  t.match(await unknown.json(), { error: { code: -32001, message: 'Session not found' } })

  const noSession = await fetch(url, { method: 'POST', headers: ACCEPT, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }) })
  t.equal(noSession.status, 400, 'anything but initialize needs a session')

  const { client, transport } = await connect(t, url)
  const sessionId = transport.sessionId!
  t.equal((await ping(sessionId)).status, 200)
  await transport.terminateSession()
  t.equal((await ping(sessionId)).status, 404, 'DELETE ended it')
  await client.close()

  const evil = await initialize(url, '2025-11-25', { origin: 'http://evil.example' })
  t.equal(evil.res.status, 403, 'a browser page elsewhere is refused')
  t.equal((await initialize(url, '2025-11-25', { origin: 'http://inspector.example:6274' })).res.status, 200, 'a configured Origin passes')
  t.equal((await initialize(url, '2025-11-25', { origin: `http://${url.host}` })).res.status, 200, 'the server\'s own origin passes')
  const sse = await fetch(url, { headers: { accept: 'text/event-stream', origin: 'http://evil.example' } })
  t.equal(sse.status, 403, 'GET for the SSE stream is checked too')
  t.equal((await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': 'gone' } })).status, 404)
  t.equal((await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': 'gone' } })).status, 404)
  t.equal((await fetch(url)).status, 426, 'a plain GET still explains the WebSocket API')
})

t.test('an idle session expires and its id then gets 404', async (t) => {
  const { url } = await serve(t, { mcp: { sessionIdleMinutes: 0.002 } })
  const { sessionId } = await initialize(url, '2025-11-25')
  await new Promise((resolve) => setTimeout(resolve, 300))
  const res = await fetch(url, {
    method: 'POST', headers: { ...ACCEPT, 'mcp-session-id': sessionId!, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
  })
  t.equal(res.status, 404, 'the client re-initialises')
})

t.test('admin-scope methods are tools for admin keys only; others get isError', async (t) => {
  const { app, url } = await serve(t, {
    auth: { apiKeys: [{ user: 'alice', key: 'alice-key-1', scope: 'client' }, { user: 'ops', key: 'ops-admin-key', scope: 'admin' }] },
  })
  const admin = new Set(app.rpc.registry.list().filter((d) => d.scope === 'admin').map((d) => d.name.replaceAll('.', '_')))
  t.ok(admin.size > 0)
  const unauthenticated = await initialize(url, '2025-11-25')
  t.equal(unauthenticated.res.status, 401, 'authentication applies to the HTTP face')

  const { client: alice } = await connect(t, url, { authorization: 'Bearer alice-key-1' })
  const { tools } = await allTools(alice)
  t.notOk(tools.some((tool) => admin.has(tool.name)), 'no admin tools for a client key')
  const prune = await alice.callTool({ name: 'memory_prune', arguments: { persona_id: 'aria' } })
  t.equal(prune.isError, true)
  t.match((prune.content as Array<{ text: string }>)[0]?.text, /admin scope/)
  t.match((await alice.callTool({ name: 'session_get_info', arguments: {} })).structuredContent, { user_id: 'alice' })

  const { client: ops } = await connect(t, url, { 'x-api-key': 'ops-admin-key' })
  t.ok((await allTools(ops)).tools.some((tool) => admin.has(tool.name)), 'admin keys see them')
})
