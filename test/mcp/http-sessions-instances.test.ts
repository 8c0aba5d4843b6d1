import t from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

// Issue 14: two instances on one PostgreSQL behind a balancer without sticky sessions. An MCP Streamable
// HTTP session opened on A is served by B (and back), stays its user's, and a DELETE on one ends it on both.

const skip = postgresUnavailable() ?? false
const KEYS = [{ user: 'alice', key: 'alice-key', scope: 'client' }, { user: 'bob', key: 'bob-key', scope: 'client' }, { user: 'carol', key: 'carol-key', scope: 'client' }, { user: 'dave', key: 'dave-key', scope: 'client' }]
const ACCEPT = { accept: 'application/json, text/event-stream' }
type Instance = 'A' | 'B'
type Result = Awaited<ReturnType<Client['callTool']>>
const structured = <T = Record<string, any>>(result: Result): T => {
  if (result.isError) throw new Error(JSON.stringify(result.content))
  return result.structuredContent as T
}

t.test('an MCP HTTP session works when consecutive POSTs land on different instances', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const overrides = { server: { databaseUrl: await server.createDatabase() }, auth: { apiKeys: KEYS }, mcp: { maxSessionsPerUser: 2 }, ollama: { host: fixture.url } }
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

  t.test('one persona session whichever instance serves: a persona_switch on A is the persona of a persona_chat on B, the thread continues, session.resume replaces it for both', async (t) => {
    // each client's requests go where `on` says at the time
    const connect = async (start: Instance) => {
      const at = { on: start }
      const transport = new StreamableHTTPClientTransport(new URL(urls[start]), {
        requestInit: { headers: { 'x-api-key': 'carol-key' } }, fetch: async (_input, init) => await fetch(urls[at.on], init),
      })
      const client = new Client({ name: 'carol', version: '1.0.0' })
      t.teardown(() => client.close())
      await client.connect(transport)
      const call = async (on: Instance, name: string, args: Record<string, unknown> = {}) => { at.on = on; return structured(await client.callTool({ name, arguments: args })) }
      const transcript = async (on: Instance, personaId: string) => {
        at.on = on
        const read = await client.readResource({ uri: `session://current/transcript/${personaId}` })
        return JSON.parse(String((read.contents[0] as { text: string }).text)).messages as Array<{ content: string }>
      }
      return { client, transport, call, transcript }
    }
    const one = await connect('A')
    const opened = await one.call('A', 'session_get_info')
    t.match(await one.call('B', 'session_get_info'), { session_id: opened.session_id, current_persona: null }, 'B rebuilt the MCP session on the same persona session')

    const aria = await one.call('A', 'persona_switch', { persona_id: 'aria' })
    const onB = await one.call('B', 'persona_chat', { message: 'Hello from B' })
    t.match(onB, { persona_id: aria.persona_id, turn_number: 1, response: /Hello from B/ }, 'B, which held a copy already, answers as the persona switched to on A')
    t.match(await one.call('A', 'persona_chat', { message: 'Back on A' }), { persona_id: aria.persona_id, turn_number: 2 }, 'the same thread on A')
    const history = await one.transcript('B', aria.persona_id)
    t.match(history.map((m) => m.content), [/^Hello from B$/, /Hello from B/, /^Back on A$/, /Back on A/], 'B reads the whole thread, A\'s turn too')
    const asked = fixture.requests.length
    t.match(await one.call('B', 'persona_chat', { message: 'Third, on B' }), { turn_number: 3 }, 'B numbers after A\'s turn')
    const prompt = JSON.stringify(fixture.requests.slice(asked).find((r) => r.path === '/api/chat')?.body.messages)
    t.match(prompt, /Back on A/, 'and its prompt holds A\'s turn')
    const kira = await one.call('B', 'persona_switch', { persona_id: 'kira' })
    t.match(await one.call('A', 'session_get_info'), { session_id: opened.session_id, current_persona: { id: kira.persona_id } }, 'and back: a switch on B is A\'s persona')

    // another MCP session of carol's, with a persona of its own, then ended: the first one resumes its persona session on A
    const two = await connect('B')
    await two.call('B', 'persona_switch', { persona_id: 'aria' })
    const other = (await two.call('B', 'session_get_info')).session_id as string
    t.not(other, opened.session_id)
    await two.transport.terminateSession()
    t.match(await one.call('A', 'session_resume', { session_id: other }), { session_id: other, resumed: true, current_persona: { id: aria.persona_id } })
    t.match(await one.call('B', 'session_get_info'), { session_id: other, current_persona: { id: aria.persona_id } }, 'B\'s copy serves the resumed persona session')
    t.match(await one.call('B', 'persona_chat', { message: 'In the resumed session' }), { persona_id: aria.persona_id, turn_number: 1 }, 'its own thread')
    t.match(await one.call('A', 'persona_chat', { message: 'Still resumed on A' }), { persona_id: aria.persona_id, turn_number: 2 })
    t.equal((await one.transcript('B', aria.persona_id)).length, 4)
    const row = await a.store.mcpSessions.find(one.transport.sessionId!)
    t.equal(row?.personaSessionId, other, 'the record names the resumed persona session')
  })

  t.test('user.erase on A deletes the records of the user\'s sessions and ends the copies B holds', async (t) => {
    const { sessionId } = await initialize('A', 'dave-key')
    t.equal(await ping('B', 'dave-key', sessionId), 200, 'B holds a copy')
    const call = async (on: Instance, name: string, args: Record<string, unknown>) => {
      const res = await raw(on, 'dave-key', 'POST', { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name, arguments: args } }, sessionId)
      const text = await res.text()
      return JSON.parse(text.startsWith('{') ? text : text.split('\n').find((l) => l.startsWith('data: '))!.slice(6)).result.structuredContent
    }
    t.match(await call('A', 'user_erase', { dry_run: true }), { counts: { mcp_sessions: 1 } }, 'the dry run counts the record')
    t.match(await call('A', 'user_erase', { dry_run: false, confirm: true }), { counts: { mcp_sessions: 1 } }, 'the erase took it')
    t.equal(await a.store.mcpSessions.find(sessionId), null)
    t.equal(await ping('B', 'dave-key', sessionId), 404, 'B\'s copy ended')
    t.equal(await ping('A', 'dave-key', sessionId), 404, 'and A\'s')
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

t.test('user.erase deletes the user\'s MCP session records (the dry run counts them) and ends their live sessions, the erasing one once it has answered', async (t) => {
  const app = await build(t, { server: { dataDir: t.testdir() }, auth: { apiKeys: KEYS } })
  const url = (await listen(app)).replace(/^ws:/, 'http:')
  const open = async (key: string) => {
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { 'x-api-key': key } } })
    const client = new Client({ name: key, version: '1.0.0' })
    t.teardown(() => client.close())
    await client.connect(transport)
    return { client, sessionId: transport.sessionId! }
  }
  const [first, second, bobs] = [await open('alice-key'), await open('alice-key'), await open('bob-key')]
  const rows = (user: string) => (app.db.sqlite.prepare('SELECT count(*) AS n FROM McpSession WHERE userId = ?').get(user) as { n: number }).n
  t.equal(rows('alice'), 2)
  const dry = structured(await first.client.callTool({ name: 'user_erase', arguments: { dry_run: true } }))
  t.equal(dry.counts.mcp_sessions, 2, 'the dry run counts her MCP sessions')
  t.equal(rows('alice'), 2, 'and erases nothing')
  const receipt = structured(await first.client.callTool({ name: 'user_erase', arguments: { dry_run: false, confirm: true } }))
  t.match(receipt, { dry_run: false, counts: { mcp_sessions: 2 } }, 'the erasing session gets its receipt')
  t.equal(rows('alice'), 0, 'her records are gone')
  t.equal(rows('bob'), 1, 'bob\'s stays')
  const ping = async (sessionId: string, key: string) => (await fetch(url, {
    method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
    headers: { ...ACCEPT, 'content-type': 'application/json', 'x-api-key': key, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
  })).status
  t.equal(await ping(second.sessionId, 'alice-key'), 404, 'her other live session ended')
  t.equal(await ping(first.sessionId, 'alice-key'), 404, 'and the one that erased, after answering')
  t.equal(await ping(bobs.sessionId, 'bob-key'), 200, 'bob\'s lives on')
  t.equal(app.mcpHttp.size, 1)
})

t.test('on SQLite the persona session survives a restart too: the session rebuilt there keeps its persona', async (t) => {
  const overrides = { server: { dataDir: t.testdir() }, auth: { apiKeys: KEYS } }
  const connect = async (url: string, sessionId?: string) => {
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { 'x-api-key': 'alice-key' } }, ...(sessionId && { sessionId }) })
    const client = new Client({ name: 'restarting', version: '1.0.0' })
    await client.connect(transport)
    return { client, transport }
  }
  const first = await build(t, overrides)
  const before = await connect((await listen(first)).replace(/^ws:/, 'http:'))
  const switched = structured(await before.client.callTool({ name: 'persona_switch', arguments: { persona_id: 'kira' } }))
  const info = structured(await before.client.callTool({ name: 'session_get_info', arguments: {} }))
  await first.close()
  const second = await build(t, overrides)
  // the SDK reconnects to a known session id without initialising again
  const after = await connect((await listen(second)).replace(/^ws:/, 'http:'), before.transport.sessionId)
  t.teardown(() => after.client.close())
  t.match(structured(await after.client.callTool({ name: 'session_get_info', arguments: {} })),
    { session_id: info.session_id, current_persona: { id: switched.persona_id } }, 'the same persona session, its persona kept')
})
