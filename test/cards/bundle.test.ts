import { mkdirSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import type { Test } from 'tap'
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'
import { connect as mcpConnect, text } from '../mcp/sdk-client.ts'

// Persona bundles (issue 16 item 4): two real servers on separate SQLite files, the bundle made on one
// over WebSocket JSON-RPC and restored on the other; only the caller's data travels.

const KEYS = [
  { user: 'ops', key: 'ops-admin-key', scope: 'admin' },
  { user: 'alice', key: 'alice-key-1', scope: 'client' },
  { user: 'bob', key: 'bob-key-22', scope: 'client' },
]
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } })

async function server (t: Test, name: string, extra: Record<string, Record<string, unknown>> = {}) {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const dataDir = path.join(t.testdir(), name)
  mkdirSync(dataDir, { recursive: true })
  const app = await build(t, { auth: { apiKeys: KEYS }, ollama: { host: fixture.url }, server: { dataDir }, ...extra })
  const url = await listen(app)
  const client = async (key: string) => {
    const c = await RpcClient.connect(url, bearer(key))
    t.teardown(() => c.terminate())
    return c
  }
  return { app, url, alice: await client('alice-key-1'), bob: await client('bob-key-22') }
}

type Files = Record<string, string>
const filesOf = (b64: string): Files => Object.fromEntries(Object.entries(unzipSync(Buffer.from(b64, 'base64'))).map(([n, b]) => [n, strFromU8(b)]))
const zipOf = (files: Files) => Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([n, s]) => [n, strToU8(s)])))).toString('base64')
const jsonl = (s: string) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l))

/** what must match across servers: the user's rows without ids */
async function userView (client: RpcClient, personaId: string) {
  const all = await client.call('user.export', {})
  const conversations = all.conversations.filter((c: any) => c.personaId === personaId)
  const memories = all.memories.filter((m: any) => m.personaId === personaId)
    .map((m: any) => ({
      content: m.content, type: m.memoryType, importance: m.importance, visibility: m.visibility, pinned: m.metadata.pinned === true, access: m.accessCount,
      at: m.createdAt, recalled: m.lastAccessedAt, turn: m.metadata.turn_number,
      // a chat turn's memory points at its conversation: the restored one, not the source's id
      conversation: m.metadata.conversation_id === undefined ? null : conversations.findIndex((c: any) => c.id === m.metadata.conversation_id),
    }))
    .sort((a: any, b: any) => a.content.localeCompare(b.content))
  const messages = all.messages.filter((m: any) => conversations.some((c: any) => c.id === m.conversationId))
    .map((m: any) => ({ turn: m.turnNumber, role: m.role, content: m.content, at: m.createdAt }))
  const rel = all.relationships.find((r: any) => r.persona1Id === personaId)
  return {
    memories, messages, summary: conversations.map((c: any) => c.summary),
    relationship: rel && { affinity: rel.affinity, trust: rel.trust, respect: rel.respect, intimacy: rel.intimacy, type: rel.relationshipType, count: rel.interactionCount },
  }
}

/** alice and bob both talk to Wren (alice's) on A, each with memories of their own */
async function populated (t: Test) {
  const a = await server(t, 'a')
  await a.alice.call('persona.create', { name: 'Wren', description: 'A keeper of old maps' })
  for (const [who, secret] of [[a.alice, 'Alice plays the violin at dawn'], [a.bob, 'Bob hides the key under the blue stone']] as const) {
    await who.call('persona.switch', { persona_id: 'Wren' })
    await who.call('persona.chat', { message: 'Hello Wren, tell me about the maps.' })
    await who.call('persona.chat', { message: 'What is the oldest one?' })
    await who.call('memory.store', { content: secret, memory_type: 'fact', importance: 0.9, metadata: { pinned: true } })
  }
  await a.alice.call('memory.search', { query: 'violin', n_results: 3 })
  return a
}

t.test('a bundle made on one server restores the persona, memories, relationship and conversations on another', async (t) => {
  const a = await populated(t)
  const exported = await a.alice.call('persona.export_bundle', { persona_id: 'Wren' })
  t.match(exported.manifest, { format: 'persona-mcp-bundle', version: 1, persona: { name: 'Wren', owned: true }, counts: { relationship: 1, conversations: 1 } })
  t.ok(exported.manifest.counts.memories >= 3 && exported.manifest.counts.vectors === exported.manifest.counts.memories, 'every memory with its vector')
  const files = filesOf(exported.bundle_base64)
  t.same(Object.keys(files).sort(), ['card.json', 'conversations.jsonl', 'manifest.json', 'memories.jsonl', 'relationship.json'])
  t.equal(JSON.parse(files['card.json']!).data.name, 'Wren')
  t.notOk(JSON.stringify(files).includes('blue stone') || JSON.stringify(files).includes('bob'), 'nothing of bob travels in alice\'s bundle')

  const bobs = filesOf((await a.bob.call('persona.export_bundle', { persona_id: 'Wren' })).bundle_base64)
  t.notOk(JSON.stringify(bobs).includes('violin'), 'bob\'s export holds none of alice\'s memories')
  t.equal(JSON.parse(bobs['manifest.json']!).persona.owned, false, 'the manifest says Wren was not bob\'s')
  t.equal(jsonl(bobs['memories.jsonl']!).filter((m) => m.content.includes('blue stone')).length, 1)

  const b = await server(t, 'b')
  const imported = await b.alice.call('persona.import_bundle', { bundle_base64: exported.bundle_base64 })
  t.match(imported, { name: 'Wren', created: true, reembedded: false, counts: exported.manifest.counts })
  const got = await b.alice.call('persona.get', { persona_id: 'Wren' })
  t.match(got, { id: imported.persona_id, owner_id: 'alice', description: 'A keeper of old maps' })
  t.same(await userView(b.alice, imported.persona_id), await userView(a.alice, exported.persona_id), 'memories, transcript and relationship match')

  await b.alice.call('persona.switch', { persona_id: 'Wren' })
  const found = await b.alice.call('memory.search', { query: 'violin at dawn', n_results: 1 })
  t.equal(found.memories[0]?.content, 'Alice plays the violin at dawn', 'the restored vectors are searchable')
  const withMe = await b.alice.call('relationship.with_me', { persona_id: 'Wren' })
  const before = await a.alice.call('relationship.with_me', { persona_id: 'Wren' })
  t.equal(withMe.relationship.interaction_count, before.relationship.interaction_count)
  t.equal(withMe.relationship.affinity, before.relationship.affinity)

  // bob's bundle on B: Wren is there (alice's) and was not bob's: his rows attach to it
  const bobImport = await b.bob.call('persona.import_bundle', { bundle_base64: zipOf(bobs) })
  t.match(bobImport, { persona_id: imported.persona_id, created: false, counts: { relationship: 1 } })
  t.notOk((await userView(b.alice, imported.persona_id)).memories.some((m: any) => m.content.includes('blue stone')), 'alice still sees none of bob\'s')
  // alice's bundle names Wren as hers: on a server where another user holds that name, it is a conflict
  const c = await server(t, 'c')
  await c.bob.call('persona.create', { name: 'Wren' })
  const clash = await c.alice.request('persona.import_bundle', { bundle_base64: exported.bundle_base64 })
  t.equal(clash.error?.code, -32006)
})

t.test('bad bundles are clear -32602 errors naming the field', async (t) => {
  const a = await populated(t)
  const good = filesOf((await a.alice.call('persona.export_bundle', { persona_id: 'Wren' })).bundle_base64)
  const fail = async (bundle: string) => (await a.alice.request('persona.import_bundle', { bundle_base64: bundle })).error
  const edit = (name: string, change: (text: string) => string) => zipOf({ ...good, [name]: change(good[name]!) })

  t.match(await fail(Buffer.from('not a zip at all').toString('base64')), { code: -32602, data: { card_reason: 'invalid_bundle' } })
  t.match(await fail(edit('manifest.json', (s) => s.replace('"version": 1', '"version": 2'))),
    { code: -32602, message: /version 2 is not supported/, data: { field: 'manifest.json.version' } })
  t.match(await fail(edit('manifest.json', (s) => s.replace('persona-mcp-bundle', 'something-else'))), { data: { field: 'manifest.json.format' } })
  t.match(await fail(edit('memories.jsonl', (s) => s.replace(/"importance":[0-9.]+/, '"importance":7'))), { data: { field: 'memories.jsonl[0].importance' } })
  t.match(await fail(edit('conversations.jsonl', () => '{"broken')), { data: { field: 'conversations.jsonl[0]' } })
  const { 'relationship.json': _gone, ...withoutRelationship } = good
  t.match(await fail(zipOf(withoutRelationship)), { data: { field: 'relationship.json' } })
  t.match(await fail(edit('card.json', () => JSON.stringify({ spec: 'chara_card_v3', spec_version: '3.0', data: {} }))), { code: -32602 })

  // a bundle of another embedder: the contents are embedded again here
  const other = await server(t, 'other')
  const reembedded = await other.alice.call('persona.import_bundle', {
    bundle_base64: edit('manifest.json', (s) => s.replace(/"name": "[^"]+",\n\s+"dimensions"/, '"name": "another-embedder-8",\n    "dimensions"')),
  })
  t.equal(reembedded.reembedded, true)
  await other.alice.call('persona.switch', { persona_id: 'Wren' })
  t.equal((await other.alice.call('memory.search', { query: 'violin at dawn', n_results: 1 })).memories[0]?.content, 'Alice plays the violin at dawn')

  // the size bound (cards.maxBundleBytes) on both sides
  const small = await server(t, 'small', { cards: { maxBundleBytes: 1024 } })
  t.match((await small.alice.request('persona.import_bundle', { bundle_base64: zipOf(good) })).error,
    { code: -32602, data: { card_reason: 'too_large', field: 'bundle' } })
  // a zip that unpacks far past its size (4x the bound) is refused before it is inflated
  t.match((await small.alice.request('persona.import_bundle', { bundle_base64: zipOf({ 'manifest.json': ' '.repeat(200_000) }) })).error,
    { code: -32602, message: /unpacks to more than 4096 bytes/, data: { card_reason: 'too_large' } })
  await small.alice.call('persona.create', { name: 'Big', description: 'x'.repeat(1500) })
  await small.alice.call('persona.switch', { persona_id: 'Big' })
  for (let i = 0; i < 8; i++) await small.alice.call('memory.store', { content: `${i} ${Math.random().toString(36).repeat(40)}` })
  t.match((await small.alice.request('persona.export_bundle', { persona_id: 'Big' })).error, { code: -32602, data: { card_reason: 'too_large' } })
  t.equal(small.app.personas.find('Wren'), undefined, 'nothing was created by the refused import')
})

t.test('MCP tools and the admin routes carry the same bundle', async (t) => {
  const a = await populated(t)
  const b = await server(t, 'b')
  const mcpA = await mcpConnect(t, a.url, 'websocket', {}, 'alice-key-1')
  const exported = await mcpA.callTool({ name: 'persona_export_bundle', arguments: { persona_id: 'Wren' } })
  t.notOk(exported.isError, exported.isError ? text(exported) : 'the export tool answers')
  const bundle = (exported.structuredContent as any).bundle_base64 as string
  const mcpB = await mcpConnect(t, b.url, 'websocket', {}, 'alice-key-1')
  const imported = await mcpB.callTool({ name: 'persona_import_bundle', arguments: { bundle_base64: bundle } })
  t.notOk(imported.isError, imported.isError ? text(imported) : 'the import tool answers')
  t.match(imported.structuredContent, { name: 'Wren', created: true })
  const bad = await mcpB.callTool({ name: 'persona_import_bundle', arguments: { bundle_base64: Buffer.from('junk').toString('base64') } })
  t.ok(bad.isError)
  t.match(text(bad), /Invalid bundle/)

  // an operator exports any user's bundle as a file, and imports one for a user
  const admin = { authorization: 'Bearer ops-admin-key' }
  const zip = await a.app.inject({ method: 'GET', url: '/admin/v1/personas/Wren/bundle?user=bob', headers: admin })
  t.equal(zip.statusCode, 200)
  t.equal(zip.headers['content-type'], 'application/zip')
  const bobFiles = filesOf(zip.rawPayload.toString('base64'))
  t.notOk(bobFiles['memories.jsonl']!.includes('violin'))
  t.ok(bobFiles['memories.jsonl']!.includes('blue stone'))
  const forbidden = await a.app.inject({ method: 'GET', url: '/admin/v1/personas/Wren/bundle?user=bob', headers: { authorization: 'Bearer alice-key-1' } })
  t.equal(forbidden.statusCode, 403, 'a client key may not read another user\'s bundle')
  const posted = await b.app.inject({
    method: 'POST', url: '/admin/v1/personas/import-bundle?user=bob', headers: { ...admin, 'content-type': 'application/zip' }, payload: zip.rawPayload,
  })
  t.equal(posted.statusCode, 201, posted.statusCode === 201 ? 'imported for bob' : posted.body)
  t.match(posted.json(), { name: 'Wren', created: false })
  const junk = await b.app.inject({
    method: 'POST', url: '/admin/v1/personas/import-bundle', headers: { ...admin, 'content-type': 'application/zip' }, payload: Buffer.from('PK\x03\x04junk'),
  })
  t.equal(junk.statusCode, 400)
  t.match(junk.json(), { message: /Invalid bundle/ })
  t.equal((await b.app.inject({ method: 'GET', url: '/admin/v1/personas/Nobody/bundle', headers: admin })).statusCode, 404)
})
