import t from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

// Issue 14: an MCP client's GET stream stays on the instance it opened on while its POSTs land anywhere.
// What it subscribed to through one instance is what the copy holding its stream notifies it of; an
// unsubscribe elsewhere stops that; a copy rebuilt later starts with the session's subscriptions.

const skip = postgresUnavailable() ?? false
const KEYS = [{ user: 'alice', key: 'alice-key', scope: 'client' }]
const COALESCE_MS = 50
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until (what: string, ready: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/** the `notifications/resources/updated` URIs that arrive on a raw GET stream */
async function rawStream (url: string, sessionId: string, heard: string[]): Promise<AbortController> {
  const abort = new AbortController()
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', 'x-api-key': 'alice-key', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' }, signal: abort.signal,
  })
  if (res.status !== 200 || res.body === null) throw new Error(`GET stream refused: ${res.status}`)
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  void (async () => {
    let buffered = ''
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
      if (done) return
      buffered += value
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        if (!line.startsWith('data: ')) continue
        const message = JSON.parse(line.slice(6)) as { method?: string, params?: { uri?: string } }
        if (message.method === 'notifications/resources/updated' && message.params?.uri) heard.push(message.params.uri)
      }
    }
  })()
  return abort
}

t.test('resource subscriptions made through B are what the GET stream A holds delivers', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const overrides = { server: { databaseUrl: await server.createDatabase() }, auth: { apiKeys: KEYS }, mcp: { updateCoalesceMs: COALESCE_MS }, ollama: { host: fixture.url } }
  const [a, b] = [await build(t, overrides), await build(t, overrides)]
  const urls = { A: (await listen(a)).replace(/^ws:/, 'http:'), B: (await listen(b)).replace(/^ws:/, 'http:') }

  // POSTs to B, the GET stream to A
  const transport = new StreamableHTTPClientTransport(new URL(urls.B), {
    requestInit: { headers: { 'x-api-key': 'alice-key' } },
    fetch: async (_input, init) => await fetch((init?.method ?? 'GET') === 'GET' ? urls.A : urls.B, init),
  })
  const client = new Client({ name: 'subscriber', version: '1.0.0' })
  const heard: string[] = []
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { heard.push(n.params.uri) })
  t.teardown(() => client.close())
  await client.connect(transport)
  const sessionId = transport.sessionId!
  await until('the GET stream on A', () => a.mcpHttp.size === 1)
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args })
    if (result.isError) throw new Error(JSON.stringify(result.content))
    return result.structuredContent as Record<string, any>
  }
  const persona = 'persona://aria'
  const transcript = 'session://current/transcript/aria'

  await client.subscribeResource({ uri: persona })
  await client.subscribeResource({ uri: transcript })
  t.same((await b.store.mcpSessions.find(sessionId))?.subscriptions, [persona, transcript], 'the record holds them, in order')
  await call('persona_switch', { persona_id: 'aria' })
  // the subscriptions reach A by announcement: until then a chat there earns nothing, so chat until it does
  for (let i = 0; i < 20 && !(heard.includes(persona) && heard.includes(transcript)); i++) {
    await call('persona_chat', { message: `Sing, ${i}` })
    await sleep(COALESCE_MS * 3)
  }
  t.ok(heard.includes(persona), 'a chat served by B changed aria: A\'s stream said so')
  t.ok(heard.includes(transcript), 'and the transcript the turn went to')

  // A has taken the unsubscribe once the announcement of the session reached it and it read the record
  let announced = false
  t.teardown(a.cluster.subscribe((message) => {
    const ids = (message.keys as { mcpSession?: string[] } | undefined)?.mcpSession
    if (message.kind === 'invalidate' && ids?.includes(sessionId)) announced = true
  }))
  await client.unsubscribeResource({ uri: transcript })
  t.same((await a.store.mcpSessions.find(sessionId))?.subscriptions, [persona])
  await until('the announcement on A', () => announced)
  await sleep(200) // A's read of the record
  heard.length = 0
  await call('persona_chat', { message: 'After the unsubscribe' })
  await until('the persona update', () => heard.includes(persona))
  await sleep(COALESCE_MS * 6)
  t.notOk(heard.includes(transcript), 'unsubscribed through B: A no longer sends the transcript\'s updates')

  // a third instance that has never seen the session: its copy, rebuilt at the GET, starts with the subscription
  const c = await build(t, overrides)
  const onC: string[] = []
  const stream = await rawStream((await listen(c)).replace(/^ws:/, 'http:'), sessionId, onC)
  t.teardown(() => stream.abort())
  await call('persona_chat', { message: 'Heard on C too' })
  await until('the update on C\'s stream', () => onC.includes(persona))
  t.notOk(onC.includes(transcript), 'only what the session still subscribes to')

  await client.setLoggingLevel('error')
  t.equal((await c.store.mcpSessions.find(sessionId))?.logLevel, 'error', 'logging/setLevel through B is in the record every copy reads')
})
