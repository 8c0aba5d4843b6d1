import t from 'tap'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomBytes } from 'node:crypto'
import { unzipSync } from 'fflate'
import { PNG } from 'pngjs'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { RpcClient } from '../helpers/rpc-client.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'
import { nginxUnavailable, startNginx } from '../helpers/nginx.ts'
import { connect as mcpConnect } from '../mcp/sdk-client.ts'
import { b64, v2Card, withTextChunks } from '../cards/helpers.ts'
import { root, startServer } from '../client/server.ts'

// Issue 14: three server processes on one PostgreSQL behind a real nginx running the shipped
// deploy/nginx.conf (only its upstream and listen lines replaced). One user, one address, every face:
// WebSocket JSON-RPC, MCP over HTTP and WebSocket, admin REST. nginx's access log names the instance
// ($upstream_addr) that served each request, so the test checks the requests really spread.

t.setTimeout(300_000)
const skip = postgresUnavailable() ?? nginxUnavailable() ?? false
const ADMIN = 'ops-admin-key'
const CLIENT = 'alice-client-key'
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

type Result = Record<string, any>
const structured = (result: Result): Result => {
  if (result.isError === true) throw new Error(JSON.stringify(result.content))
  return result.structuredContent as Result
}

/** a card PNG whose image is noise, so it does not compress: about `bytes` long */
function bigCardPng (name: string, bytes: number): Buffer {
  const side = Math.ceil(Math.sqrt(bytes / 4))
  const png = new PNG({ width: side, height: side })
  randomBytes(png.data.length).copy(png.data)
  const card = v2Card()
  card.data.name = name
  return withTextChunks(PNG.sync.write(png), [['chara', b64(card)]])
}

t.test('three instances behind one nginx serve a user as one server would', { skip }, async (t) => {
  const pg = await startPostgres()
  t.teardown(() => pg.stop())
  const ollama = await startOllamaFixture()
  t.teardown(() => ollama.close())
  const env = { DATABASE_URL: await pg.createDatabase(), OLLAMA_HOST: ollama.url, API_KEYS: `ops:${ADMIN}:admin,alice:${CLIENT}:client` }
  // the first migrates, the others find it done
  const a = await startServer(t, env)
  const [b, c] = await Promise.all([startServer(t, env), startServer(t, env)])
  const lb = await startNginx(path.join(root, 'deploy/nginx.conf'), [a.port, b.port, c.port])
  t.teardown(() => lb.stop())
  const names = new Map([[`127.0.0.1:${a.port}`, 'A'], [`127.0.0.1:${b.port}`, 'B'], [`127.0.0.1:${c.port}`, 'C']])
  const wsUrl = `${lb.url.replace(/^http:/, 'ws:')}/mcp`

  /** the instances that served the logged requests matching `match` (waits until `count` are logged) */
  const servedBy = async (match: (line: { method: string, uri: string, status: number }) => boolean, count: number) => {
    const deadline = Date.now() + 30_000
    let lines = lb.accessLog().filter(match)
    // nginx logs a WebSocket when it closes, a request when it is answered
    while (lines.length < count && Date.now() < deadline) { await sleep(50); lines = lb.accessLog().filter(match) }
    return lines.map((line) => names.get(line.upstream) ?? line.upstream)
  }
  const rpc = async (probe: string, key = CLIENT) => {
    const client = await RpcClient.connect(`${wsUrl}?probe=${probe}`, { headers: bearer(key) })
    t.teardown(() => client.terminate())
    return client
  }
  const admin = async (method: string, route: string, body?: unknown, key = ADMIN) => {
    const res = await fetch(`${lb.url}/admin/v1${route}`, {
      method, headers: { ...bearer(key), ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }),
    })
    return res
  }
  let personaId = ''

  t.test('WebSocket JSON-RPC: a session opened on one instance resumes on another with its conversation', async (t) => {
    const first = await rpc('ws-first')
    const { session_id: sessionId } = await first.call('session.get_info')
    personaId = (await first.call('persona.create', { name: 'Lumen' })).persona_id
    await first.call('persona.switch', { persona_id: personaId })
    t.ok((await first.call('persona.chat', { message: 'Tell me about the lighthouse' })).response, 'Lumen answered')
    await first.call('memory.store', { persona_id: personaId, content: 'Alice keeps a lighthouse logbook' })
    first.terminate()
    // two reconnections: round robin sends each to the next instance
    for (const probe of ['ws-second', 'ws-third']) {
      const again = await rpc(probe)
      const resumed = await again.call('session.resume', { session_id: sessionId })
      t.equal(resumed.session_id ?? sessionId, sessionId, `${probe}: the session resumed`)
      // at once, not once the other instance's announcement arrives: a miss is looked up in the database
      t.equal((await again.request('persona.get', { persona_id: personaId })).error, undefined, `${probe}: the persona just created elsewhere is known at once`)
      const history = await again.call('conversation.history', { persona_id: personaId })
      t.ok(history.messages.some((m: { content: string }) => m.content.includes('lighthouse')), `${probe}: the turn made before is there`)
      again.terminate()
    }
    const served = await servedBy((l) => l.uri.includes('probe=ws-'), 3)
    t.equal(served.length, 3, 'three WebSocket connections')
    t.equal(new Set(served).size, 3, `each connection on another instance: ${served.join(', ')}`)
  })

  t.test('MCP Streamable HTTP (the SDK client): its POSTs land on every instance, one session throughout', async (t) => {
    const from = lb.accessLog().length
    const client = await mcpConnect(t, wsUrl, 'http', {}, CLIENT)
    const { tools } = await client.listTools()
    t.ok(tools.some((tool) => tool.name === 'persona_chat'), 'tools/list')
    t.match(structured(await client.callTool({ name: 'persona_switch', arguments: { persona_id: personaId } })), { persona_id: personaId })
    const turns: number[] = []
    for (const message of ['First over HTTP', 'Second over HTTP', 'Third over HTTP']) {
      turns.push(structured(await client.callTool({ name: 'persona_chat', arguments: { message } })).turn_number as number)
    }
    t.same(turns, [1, 2, 3], 'one thread, whichever instance answered')
    const read = await client.readResource({ uri: `session://current/transcript/${personaId}` })
    const messages = JSON.parse(String((read.contents[0] as { text: string }).text)).messages as Array<{ content: string }>
    t.match(messages.map((m) => m.content), [/^First over HTTP$/, /./, /^Second over HTTP$/, /./, /^Third over HTTP$/, /./], 'the transcript holds every turn')
    const mine = lb.accessLog().slice(from).filter((l) => l.method === 'POST' && l.uri.startsWith('/mcp')).map((l) => names.get(l.upstream) ?? l.upstream)
    t.ok(mine.length >= 7, `${mine.length} POSTs`)
    t.same([...new Set(mine)].sort(), ['A', 'B', 'C'], `served by every instance: ${mine.join(', ')}`)
    t.ok(lb.accessLog().slice(from).every((l) => l.status < 400), 'nothing refused')
  })

  t.test('MCP over WebSocket: tools listed and called on each instance', async (t) => {
    for (let i = 0; i < 3; i++) {
      const client = await mcpConnect(t, wsUrl, 'websocket', {}, CLIENT)
      const { tools } = await client.listTools()
      t.ok(tools.some((tool) => tool.name === 'persona_list'), 'tools/list')
      const listed = structured(await client.callTool({ name: 'persona_list', arguments: {} }))
      t.ok(listed.personas.some((p: { id: string }) => p.id === personaId), 'persona_list shows the persona created over JSON-RPC')
      await client.close()
    }
    const served = await servedBy((l) => l.uri.startsWith('/mcp?api_key='), 3)
    t.same([...served].sort(), ['A', 'B', 'C'], `one connection on each instance: ${served.join(', ')}`)
  })

  t.test('admin REST: persona, memories, bundle export, a card upload; a revoked key is refused by every instance', async (t) => {
    const persona = await admin('GET', `/personas/${personaId}`)
    t.equal(persona.status, 200)
    t.match(await persona.json(), { name: 'Lumen' })
    // created through one instance, read at once through the next ones (round robin): every GET finds it
    for (const name of ['Nova', 'Vesper']) {
      const made = await admin('POST', '/personas', { name })
      t.equal(made.status, 201, `${name} created`)
      const { id } = await made.json() as { id: string }
      for (let i = 0; i < 3; i++) t.equal((await admin('GET', `/personas/${id}`)).status, 200, `${name} read at once, request ${i + 1}`)
    }
    const memories = await admin('GET', `/memories?persona_id=${personaId}&contains=logbook`)
    t.equal(memories.status, 200)
    t.match(await memories.json(), { total: 1, items: [{ content: /lighthouse logbook/ }] }, 'the memory stored over JSON-RPC')
    const bundle = await admin('GET', `/personas/${personaId}/bundle?user=alice`)
    t.equal(bundle.status, 200)
    t.equal(bundle.headers.get('content-type'), 'application/zip')
    const files = unzipSync(new Uint8Array(await bundle.arrayBuffer()))
    t.match(JSON.parse(Buffer.from(files['card.json']!).toString()), { data: { name: 'Lumen' } }, 'the card is in the export')
    t.match(Buffer.from(files['conversations.jsonl']!).toString(), /lighthouse/, 'and the conversation')

    // a card of about 2 MB: past nginx's default 1 MiB body bound, buffered by nginx, read by the server
    const card = bigCardPng('Grandia', 2 * 1024 * 1024)
    t.ok(card.length > 2_000_000, `${card.length} bytes`)
    const uploaded = await fetch(`${lb.url}/admin/v1/personas/import`, { method: 'POST', headers: { ...bearer(ADMIN), 'content-type': 'image/png' }, body: new Uint8Array(card) })
    t.equal(uploaded.status, 201)
    t.match(await uploaded.json(), { name: 'Grandia', format: 'png', has_avatar: true })

    const created = await admin('POST', '/api-keys', { user_id: 'alice', scope: 'client' })
    t.equal(created.status, 201)
    const { id, secret } = await created.json() as { id: string, secret: string }
    // a client-readable admin route: what the key may do, through nginx
    const probe = async (key: string) => (await fetch(`${lb.url}/admin/v1/personas/${personaId}/avatar`, { headers: bearer(key) })).status
    const from = lb.accessLog().length
    const statuses = [await probe(secret), await probe(secret), await probe(secret)]
    t.same(statuses, [200, 200, 200], 'the new key works on every instance')
    t.equal((await admin('DELETE', `/api-keys/${id}`)).status, 200, 'revoked')
    // the others hear of it by NOTIFY: wait for three refusals in a row, then every instance refuses
    const deadline = Date.now() + 20_000
    let refusedInARow = 0
    while (refusedInARow < 3 && Date.now() < deadline) {
      refusedInARow = (await probe(secret)) === 401 ? refusedInARow + 1 : 0
      if (refusedInARow === 0) await sleep(100)
    }
    const after = lb.accessLog().length
    const refusals = []
    for (let i = 0; i < 6; i++) refusals.push(await probe(secret))
    t.same(refusals, [401, 401, 401, 401, 401, 401], 'the revoked key is refused')
    const lines = lb.accessLog()
    t.same([...new Set(lines.slice(after).filter((l) => l.uri.includes('/avatar')).map((l) => names.get(l.upstream)))].sort(), ['A', 'B', 'C'], 'by every instance')
    t.same([...new Set(lines.slice(from, from + 3).map((l) => names.get(l.upstream)))].sort(), ['A', 'B', 'C'], 'which had each let it in')
    const refusedSocket = await RpcClient.connect(`${wsUrl}?probe=revoked`, { headers: bearer(secret) }).then((client) => { client.terminate(); return 'open' }, (err: Error) => err.message)
    t.match(refusedSocket, /401/, 'and a WebSocket with it is refused through nginx')
    t.equal(await probe(CLIENT), 200, 'the configured client key still works')
  })

  t.test('a body larger than the old 16m bound passes nginx: the server reads it and answers', async (t) => {
    // 17 MiB of zeros: under the card bound (20 MiB), so the server reads it all before it says it is no card
    const body = new Uint8Array(17 * 1024 * 1024)
    const res = await fetch(`${lb.url}/admin/v1/personas/import`, { method: 'POST', headers: { ...bearer(ADMIN), 'content-type': 'application/octet-stream' }, body })
    t.match(res.headers.get('content-type'), /application\/json/, 'the server\'s JSON error, not nginx\'s page')
    t.match({ status: res.status, ...await res.json() as object }, { status: 400, message: /card/i }, 'refused as no card, not as too large')
  })

  t.test('no instance logged a problem', async (t) => {
    for (const [name, server] of [['A', a], ['B', b], ['C', c]] as const) t.equal(server.problems(), '', `${name}: no warning or error`)
  })
})
