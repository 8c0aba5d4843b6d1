import t from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { build, listen } from '../helper.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

// Issue 14: two instances on one PostgreSQL behind a balancer without sticky sessions. An MCP Streamable
// HTTP session opened on A is served by B (and back), stays its user's, and a DELETE on one ends it on both.

const skip = postgresUnavailable() ?? false
const KEYS = [{ user: 'alice', key: 'alice-key', scope: 'client' }, { user: 'bob', key: 'bob-key', scope: 'client' }]
const ACCEPT = { accept: 'application/json, text/event-stream' }
type Instance = 'A' | 'B'

t.test('an MCP HTTP session works when consecutive POSTs land on different instances', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const overrides = { server: { databaseUrl: await server.createDatabase() }, auth: { apiKeys: KEYS }, mcp: { maxSessionsPerUser: 2 } }
  const a = await build(t, overrides)
  const b = await build(t, overrides)
  const urls: Record<Instance, string> = {
    A: (await listen(a)).replace(/^ws:/, 'http:'),
    B: (await listen(b)).replace(/^ws:/, 'http:'),
  }
  const raw = (on: Instance, key: string, method: string, body?: unknown, sessionId?: string) => fetch(urls[on], {
    method,
    headers: { ...ACCEPT, ...(body !== undefined && { 'content-type': 'application/json' }), 'x-api-key': key, ...(sessionId && { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  const initialize = async (on: Instance, key: string) => {
    const res = await raw(on, key, 'POST', { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } })
    await res.text()
    return { status: res.status, sessionId: res.headers.get('mcp-session-id') ?? '' }
  }
  const ping = async (on: Instance, key: string, sessionId: string) => {
    const res = await raw(on, key, 'POST', { jsonrpc: '2.0', id: 7, method: 'ping' }, sessionId)
    await res.text()
    return res.status
  }

  t.test('the SDK client, its POSTs alternating between A and B, lists, calls and reads', async (t) => {
    // every POST goes to the other instance than the one before; the GET stream stays where it opened
    const route: string[] = []
    let next: Instance = 'A'
    let pinned: Instance | undefined
    const alternating = async (input: string | URL | Request, init?: RequestInit) => {
      const on: Instance = pinned ?? next
      if (init?.method === 'POST' && pinned === undefined) next = on === 'A' ? 'B' : 'A'
      const body = typeof init?.body === 'string' ? JSON.parse(init.body) as { method?: string } : undefined
      route.push(`${init?.method ?? 'GET'} ${body?.method ?? ''} -> ${on}`)
      return await fetch(urls[on], init)
    }
    const transport = new StreamableHTTPClientTransport(new URL(urls.A), { requestInit: { headers: { 'x-api-key': 'alice-key' } }, fetch: alternating })
    const client = new Client({ name: 'roaming', version: '1.0.0' })
    t.teardown(() => client.close())
    await client.connect(transport)
    const sessionId = transport.sessionId!
    t.match(sessionId, /^[0-9a-f-]{36}$/)

    for (let round = 0; round < 2; round++) {
      const { tools } = await client.listTools()
      t.ok(tools.some((tool) => tool.name === 'persona_list'), 'tools/list')
      const listed = await client.callTool({ name: 'persona_list', arguments: {} })
      t.notOk(listed.isError, 'tools/call persona_list')
      const read = await client.readResource({ uri: 'persona://aria' })
      const content = read.contents[0]
      t.match(content !== undefined && 'text' in content ? content.text : '', /Aria/, 'resources/read persona://aria')
    }
    const posts = route.filter((r) => r.startsWith('POST'))
    t.same(posts.slice(0, 8), [
      'POST initialize -> A', 'POST notifications/initialized -> B',
      'POST tools/list -> A', 'POST tools/call -> B', 'POST resources/read -> A',
      'POST tools/list -> B', 'POST tools/call -> A', 'POST resources/read -> B',
    ], 'each method ran on both instances')

    t.equal(await ping('B', 'bob-key', sessionId), 404, 'another user\'s key gets 404 on B, which holds the session')
    t.equal(await ping('A', 'bob-key', sessionId), 404, 'and on A')
    t.equal(await ping('B', 'alice-key', sessionId), 200, 'the session itself is alive')

    pinned = 'B'
    await transport.terminateSession()
    t.equal(transport.sessionId, undefined, 'DELETE on B succeeded')
    t.equal(await ping('A', 'alice-key', sessionId), 404, 'then a POST on A gets 404')
    t.equal(await ping('B', 'alice-key', sessionId), 404, 'and on B')
  })

  t.test('a session B has never seen: another user\'s key gets 404 there, its own user\'s key is served', async (t) => {
    const { status, sessionId } = await initialize('A', 'alice-key')
    t.equal(status, 200)
    t.equal(await ping('B', 'bob-key', sessionId), 404, 'bob cannot take alice\'s session over')
    t.equal(await ping('B', 'alice-key', sessionId), 200, 'alice can')
    t.equal(await ping('B', 'alice-key', 'no-such-session'), 404, 'an unknown id is 404 as before')
    const ended = await raw('A', 'alice-key', 'DELETE', undefined, sessionId)
    t.equal(ended.status, 200, 'DELETE on A ends the copy B holds too')
    t.equal(await ping('B', 'alice-key', sessionId), 404)
  })

  t.test('mcp.maxSessionsPerUser counts the sessions every instance holds: the least recently used goes', async (t) => {
    const first = await initialize('A', 'alice-key')
    const second = await initialize('B', 'alice-key')
    t.same([first.status, second.status], [200, 200])
    t.equal(await ping('B', 'alice-key', second.sessionId), 200)
    // A holds one, B another: a third on A is over the cap of 2, and A's own (least recently used) gives way
    const third = await initialize('A', 'alice-key')
    t.equal(third.status, 200)
    t.equal(await ping('B', 'alice-key', first.sessionId), 404, 'the first is gone for B')
    t.equal(await ping('A', 'alice-key', first.sessionId), 404, 'and for A')
    t.equal(await ping('A', 'alice-key', second.sessionId), 200, 'the second lives, on A too')
    t.equal(await ping('B', 'alice-key', third.sessionId), 200, 'the third lives, on B too')
    // now the second was used last: a fourth on B evicts the third, which A and B both hold a copy of
    t.equal(await ping('A', 'alice-key', second.sessionId), 200)
    t.equal((await initialize('B', 'alice-key')).status, 200)
    t.equal(await ping('A', 'alice-key', third.sessionId), 404, 'the third is gone everywhere')
    t.equal(await ping('B', 'bob-key', second.sessionId), 404, 'bob\'s cap is his own, and alice\'s sessions are not his')
    t.equal((await initialize('B', 'bob-key')).status, 200)
  })
})

t.test('on SQLite a session survives a restart, and an idle one is forgotten by the database too', async (t) => {
  const dataDir = t.testdir()
  const overrides = { server: { dataDir }, auth: { apiKeys: KEYS }, mcp: { sessionIdleMinutes: 0.01 } }
  const post = async (url: string, body: unknown, sessionId?: string) => {
    const res = await fetch(url, {
      method: 'POST', body: JSON.stringify(body),
      headers: { ...ACCEPT, 'content-type': 'application/json', 'x-api-key': 'alice-key', ...(sessionId && { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }) },
    })
    await res.text()
    return res
  }
  const first = await build(t, overrides)
  const opened = await post((await listen(first)).replace(/^ws:/, 'http:'), { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } })
  const sessionId = opened.headers.get('mcp-session-id') ?? ''
  await first.close()
  const second = await build(t, overrides)
  const url = (await listen(second)).replace(/^ws:/, 'http:')
  t.equal((await post(url, { jsonrpc: '2.0', id: 2, method: 'ping' }, sessionId)).status, 200, 'the restarted server takes the session over')
  const rows = () => (second.db.sqlite.prepare('SELECT count(*) AS n FROM McpSession').get() as { n: number }).n
  t.equal(rows(), 1)
  // idle for 0.6 s: the sweep (every 300 ms here) closes it and deletes its row
  const deadline = Date.now() + 5000
  while (rows() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(rows(), 0, 'the sweep deleted the idle record')
  t.equal((await post(url, { jsonrpc: '2.0', id: 3, method: 'ping' }, sessionId)).status, 404, 'its id then gets 404')
})
