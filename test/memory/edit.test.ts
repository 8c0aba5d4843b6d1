import t from 'tap'
import type { Test } from 'tap'
import { build, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'
import { connect } from '../mcp/sdk-client.ts'

const KEYS = [
  { user: 'ops', key: 'ops-admin-key', scope: 'admin' },
  { user: 'alice', key: 'alice-key-1', scope: 'client' },
  { user: 'bob', key: 'bob-key-22', scope: 'client' },
]
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } })

async function setup (t: Test, overrides: Record<string, Record<string, unknown>> = {}) {
  const app = await build(t, { auth: { apiKeys: KEYS }, ...overrides })
  const url = await listen(app)
  const connect = async (key: string) => {
    const client = await RpcClient.connect(url, bearer(key))
    t.teardown(() => client.terminate())
    return client
  }
  return { app, alice: await connect('alice-key-1'), bob: await connect('bob-key-22'), admin: await connect('ops-admin-key') }
}

/** the ids the vector index itself returns for a query, as alice may see them */
async function indexed (app: Awaited<ReturnType<typeof build>>, text: string, personaId: string) {
  const [vector] = await app.vectors.embedder.embed([text])
  return (await app.vectors.query({ vector: vector!, personaIds: [personaId], userId: 'alice', limit: 10 })).map((h) => h.id)
}

t.test('memory.update re-embeds and keeps the index in step; memory.delete removes row and vector', async (t) => {
  const { app, alice } = await setup(t)
  const aria = (await alice.call('persona.get', { persona_id: 'aria' })).persona.id as string
  const { memory_id } = await alice.call('memory.store', { persona_id: 'aria', content: 'Alice keeps bees in her garden', importance: 0.4 })

  const updated = await alice.call('memory.update', {
    memory_id, content: 'Alice collects vintage typewriters', importance: 0.7, memory_type: 'fact', visibility: 'shared', protected: true,
  })
  t.match(updated.memory, { id: memory_id, content: 'Alice collects vintage typewriters', importance: 0.7, memory_type: 'fact', visibility: 'shared', protected: true })

  const found = await alice.call('memory.search', { persona_id: 'aria', query: 'vintage typewriters', n_results: 1 })
  t.equal(found.memories[0]?.id, memory_id, 'found by its new content')
  t.ok(found.memories[0].similarity > 0.5, `similar to the new text (${found.memories[0].similarity})`)
  const row = app.db.sqlite.prepare('SELECT embedding, indexedAt, baseImportance, metadata FROM Memory WHERE id = ?').get(memory_id) as any
  const [fresh] = await app.vectors.embedder.embed(['Alice collects vintage typewriters'])
  t.same([...new Float32Array(new Uint8Array(row.embedding).buffer)], [...fresh!], 'the stored embedding is the new content\'s')
  t.not(row.indexedAt, null, 'the index took it')
  t.equal(row.baseImportance, 0.7, 'decay starts from the new importance')
  t.equal(JSON.parse(row.metadata).pinned, true)

  // the index filters on visibility: a cross-persona search (shared and public only) now sees it
  const cross = await alice.call('memory.search_cross_persona', { persona_id: 'aria', query: 'vintage typewriters', min_importance: 0 })
  t.ok(cross.memories.some((m: any) => m.memory_id === memory_id), 'the new visibility reached the index')

  t.same((await alice.call('memory.update', { memory_id, protected: false })).memory.protected, false)
  const bad = await alice.request('memory.update', { memory_id, importance: 2 })
  t.equal(bad.error?.code, -32602)

  t.same(await alice.call('memory.delete', { memory_id }), { memory_id, deleted: true })
  t.notOk((await indexed(app, 'Alice collects vintage typewriters', aria)).includes(memory_id), 'the vector is gone from the index')
  t.equal((app.db.sqlite.prepare('SELECT count(*) AS n FROM Memory WHERE id = ?').get(memory_id) as any)?.n, 0)
  t.equal((await alice.request('memory.delete', { memory_id })).error?.code, -32010, 'a second delete: not found')
})

t.test('another user\'s memory is not found to them; admin keys may change and delete any', async (t) => {
  const { app, alice, bob, admin } = await setup(t)
  const { memory_id } = await alice.call('memory.store', { persona_id: 'aria', content: 'Alice is afraid of spiders', visibility: 'public' })
  for (const [method, params] of [['memory.update', { memory_id, content: 'Bob was here' }], ['memory.delete', { memory_id }]] as const) {
    const reply = await bob.request(method, params)
    t.equal(reply.error?.code, -32010, `${method} by bob: not found`)
    t.equal(reply.error?.data?.reason, 'not_found')
  }
  t.equal((app.db.sqlite.prepare('SELECT content FROM Memory WHERE id = ?').get(memory_id) as any)?.content, 'Alice is afraid of spiders', 'unchanged')

  t.equal((await admin.call('memory.update', { memory_id, importance: 0.95 })).memory.importance, 0.95)

  const patched = await app.inject({ method: 'PATCH', url: `/admin/v1/memories/${memory_id}`, ...bearer('ops-admin-key'), payload: { content: 'Alice likes spiders now' } })
  t.equal(patched.statusCode, 200)
  t.match(patched.json(), { id: memory_id, content: 'Alice likes spiders now', importance: 0.95 })
  const typo = await app.inject({ method: 'PATCH', url: `/admin/v1/memories/${memory_id}`, ...bearer('ops-admin-key'), payload: { contnt: 'x' } })
  t.equal(typo.statusCode, 400, 'an unknown key is a 400')
  const missing = await app.inject({ method: 'PATCH', url: '/admin/v1/memories/nope', ...bearer('ops-admin-key'), payload: { importance: 0.1 } })
  t.equal(missing.statusCode, 404)
  const byClient = await app.inject({ method: 'PATCH', url: `/admin/v1/memories/${memory_id}`, ...bearer('alice-key-1'), payload: { importance: 0.1 } })
  t.equal(byClient.statusCode, 403, 'the admin route needs the admin scope')

  t.same(await admin.call('memory.delete', { memory_id }), { memory_id, deleted: true })
})

t.test('memory_update and memory_delete are MCP tools', async (t) => {
  const { app, alice } = await setup(t)
  const mcp = await connect(t, `ws://127.0.0.1:${(app.server.address() as any).port}/mcp`, 'websocket', {}, 'alice-key-1')
  t.teardown(() => mcp.close())
  const { tools } = await mcp.listTools()
  t.equal(tools.find((x) => x.name === 'memory_delete')?.annotations?.destructiveHint, true)
  const { memory_id } = await alice.call('memory.store', { persona_id: 'aria', content: 'Alice paints' })
  const result = await mcp.callTool({ name: 'memory_update', arguments: { memory_id, content: 'Alice sculpts' } })
  t.match(result.structuredContent, { memory_id, updated: true, memory: { content: 'Alice sculpts' } })
})

t.test('a protected memory is never pruned', async (t) => {
  const { app, alice } = await setup(t, { memory: { pruning: { targetCount: 1, minMemories: 0, protectYoungerThanHours: 0, importanceThreshold: 0.5, maxImportantFraction: 1 } } })
  const ids: string[] = []
  for (const [i, importance] of [0.01, 0.1, 0.2, 0.3].entries()) {
    ids.push((await alice.call('memory.store', { persona_id: 'aria', content: `small thing number ${i}`, importance })).memory_id)
  }
  await alice.call('memory.update', { memory_id: ids[0], protected: true })
  const aria = (await alice.call('persona.get', { persona_id: 'aria' })).persona.id as string
  await app.memoryMaintenance.prune(aria, true, 'manual')
  const live = (app.db.sqlite.prepare('SELECT id FROM Memory WHERE prunedAt IS NULL AND id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as any[]).map((r) => r.id)
  t.ok(live.includes(ids[0]), 'the protected one, the least important, is still there')
  t.ok(live.length < ids.length, 'others were pruned')
})
