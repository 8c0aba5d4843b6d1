import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { ChromaClient } from 'chromadb'
import { startBundledChroma } from '../../src/store/vector/chroma-process.ts'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'

// user.export and user.erase, on the local index and on a real Chroma server (the one bundled in the
// chromadb package): afterwards neither the database nor the vector store holds anything of the user.

const KEYS = [
  { user: 'ops', key: 'ops-admin-key', scope: 'admin' },
  { user: 'alice', key: 'alice-key-1', scope: 'client' },
  { user: 'bob', key: 'bob-key-22', scope: 'client' },
]
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } })
const silent = { debug () {}, info () {}, warn () {}, error () {} }

/** What Chroma itself holds, asked directly (not through our index): ids found by id, and by metadata. */
async function inChroma (chroma: ChromaClient, ids: string[], userId: string) {
  const byId: string[] = []
  const byUser: string[] = []
  for (const col of await chroma.listCollections()) {
    const collection = await chroma.getCollection({ name: col.name, embeddingFunction: undefined })
    if (ids.length > 0) byId.push(...(await collection.get({ ids, include: [] })).ids)
    byUser.push(...(await collection.get({ where: { userId }, include: [] })).ids)
  }
  return { byId, byUser }
}

async function until (what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

async function eraseScenario (t: Test, store: 'local' | 'chroma') {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  // one test directory for both (a second t.testdir() call would empty the first under Chroma's feet)
  const dataDir = t.testdir()
  let chroma: ChromaClient | undefined
  let vector: Record<string, unknown> = { store: 'local' }
  if (store === 'chroma') {
    const server = await startBundledChroma({ dataDir: path.join(dataDir, 'own-chroma'), log: silent })
    t.teardown(() => server.stop())
    const url = new URL(server.url)
    chroma = new ChromaClient({ host: url.hostname, port: Number(url.port), ssl: false })
    vector = { store: 'chroma', chromaUrl: server.url }
  }
  const app = await build(t, { auth: { apiKeys: KEYS }, ollama: { host: fixture.url }, vector, server: { dataDir } })
  t.equal(app.vectors.status().kind, store, `the ${store} index serves`)
  const url = await listen(app)
  const connect = async (key: string) => {
    const c = await RpcClient.connect(url, bearer(key))
    t.teardown(() => c.terminate())
    return c
  }
  const alice = await connect('alice-key-1')
  const bob = await connect('bob-key-22')
  const ariaId = (await alice.call('persona.get', { persona_id: 'aria' })).persona.id as string
  await alice.call('persona.switch', { persona_id: 'aria' })
  await alice.call('persona.chat', { message: 'My secret hobby is origami cranes' })
  await alice.call('memory.store', { persona_id: 'aria', content: 'Alice lives on Quince Street' })
  await alice.call('relationship.update', { persona_id: 'aria', interaction_quality: 0.8 }).catch(() => undefined)
  await bob.call('memory.store', { persona_id: 'aria', content: 'Bob likes Quince jam' })

  const exported = await alice.call('user.export', {})
  t.equal(exported.user_id, 'alice')
  t.ok(exported.messages.some((m: any) => /origami/.test(m.content)), 'messages')
  t.ok(exported.memories.some((m: any) => /Quince Street/.test(m.content)), 'memories')
  t.notOk(exported.memories.some((m: any) => /Bob/.test(m.content)), 'nobody else\'s')
  t.ok(exported.sessions.length >= 1 && exported.conversations.length >= 1)
  const admin = await app.inject({ method: 'GET', url: '/admin/v1/users/alice/export', ...bearer('ops-admin-key') })
  t.equal(admin.statusCode, 200)
  t.equal(admin.json().memories.length, exported.memories.length)
  t.notMatch(admin.body, /keyHash|alice-key-1/, 'never a secret or its hash')
  const aliceMemoryIds: string[] = exported.memories.map((m: any) => m.id)
  const bobMemoryIds = (app.db.sqlite.prepare("SELECT id FROM Memory WHERE userId = 'bob'").all() as Array<{ id: string }>).map((r) => r.id)

  if (chroma) {
    // the erase must find her vectors in Chroma to mean anything: wait until every one of them is there
    await until('alice\'s vectors in Chroma', async () => (await inChroma(chroma, aliceMemoryIds, 'alice')).byId.length === aliceMemoryIds.length)
    const before = await inChroma(chroma, aliceMemoryIds, 'alice')
    t.equal(before.byUser.length, aliceMemoryIds.length, 'found by metadata too, before the erase')
  }

  const dry = await alice.call('user.erase', { dry_run: true })
  t.equal(dry.dry_run, true)
  t.ok(dry.counts.memories >= 2 && dry.counts.messages >= 2 && dry.counts.conversations >= 1 && dry.counts.sessions >= 1, JSON.stringify(dry.counts))
  t.equal(dry.counts.memories, aliceMemoryIds.length, 'the dry run counts every memory the export showed')
  t.ok((app.db.sqlite.prepare("SELECT count(*) AS n FROM Memory WHERE userId = 'alice'").get() as any).n >= 2, 'a dry run erases nothing')
  if (chroma) t.equal((await inChroma(chroma, aliceMemoryIds, 'alice')).byId.length, aliceMemoryIds.length, 'nor any vector')

  const receipt = await alice.call('user.erase', { dry_run: false })
  t.equal(receipt.dry_run, false)
  t.same(receipt.counts, { ...dry.counts, vector_entries: receipt.counts.vector_entries }, 'the receipt counts what the dry run counted')
  t.equal(receipt.counts.vector_entries, dry.counts.memories)
  t.equal(receipt.vector_index, store)
  t.ok(Date.parse(receipt.erased_at) > 0)

  // the database: no row anywhere mentions alice (every text column of every table)
  const tables = (app.db.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'").all() as any[]).map((r) => r.name)
  for (const table of tables) {
    const cols = (app.db.sqlite.prepare(`PRAGMA table_info("${table}")`).all() as any[]).filter((c) => !/BLOB/i.test(c.type)).map((c) => `"${c.name}"`)
    const hits = app.db.sqlite.prepare(`SELECT count(*) AS n FROM "${table}" WHERE ${cols.map((c) => `CAST(${c} AS TEXT) = 'alice' OR CAST(${c} AS TEXT) LIKE '%origami%' OR CAST(${c} AS TEXT) LIKE '%Quince Street%'`).join(' OR ')}`).get() as any
    t.equal(hits.n, 0, `nothing of alice in ${table}`)
  }
  // the index the server searches: none of her vectors answers a search, bob's still does
  const [query] = await app.vectors.embedder.embed(['Quince Street origami'])
  const found = await app.vectors.query({ vector: query!, personaIds: [ariaId], userId: 'alice', limit: 50 })
  t.notOk(found.some((h) => aliceMemoryIds.includes(h.id)), 'no vector of hers is left in the index')
  t.ok((await bob.call('memory.search', { persona_id: 'aria', query: 'Quince jam' })).memories.length > 0, 'bob keeps his')

  if (chroma) {
    // Chroma itself, every collection, by her memory ids and by her user id in the metadata
    const after = await inChroma(chroma, aliceMemoryIds, 'alice')
    t.same(after, { byId: [], byUser: [] }, 'Chroma holds nothing of alice')
    t.same((await inChroma(chroma, bobMemoryIds, 'bob')).byId.sort(), [...bobMemoryIds].sort(), 'and still every vector of bob')
  }
}

t.test('user.export, then user.erase on the local index: a dry run counts, the receipt counts, and nothing of the user is left', (t) => eraseScenario(t, 'local'))
t.test('user.erase against a real Chroma server: her vectors leave every collection', (t) => eraseScenario(t, 'chroma'))
