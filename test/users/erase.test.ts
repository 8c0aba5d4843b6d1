import t from 'tap'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'

const KEYS = [
  { user: 'ops', key: 'ops-admin-key', scope: 'admin' },
  { user: 'alice', key: 'alice-key-1', scope: 'client' },
  { user: 'bob', key: 'bob-key-22', scope: 'client' },
]
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } })

t.test('user.export, then user.erase: a dry run counts, the receipt counts, and nothing of the user is left', async (t) => {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const app = await build(t, { auth: { apiKeys: KEYS }, ollama: { host: fixture.url } })
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

  const dry = await alice.call('user.erase', { dry_run: true })
  t.equal(dry.dry_run, true)
  t.ok(dry.counts.memories >= 2 && dry.counts.messages >= 2 && dry.counts.conversations >= 1 && dry.counts.sessions >= 1, JSON.stringify(dry.counts))
  t.ok((app.db.sqlite.prepare("SELECT count(*) AS n FROM Memory WHERE userId = 'alice'").get() as any).n >= 2, 'a dry run erases nothing')

  const aliceMemoryIds = exported.memories.map((m: any) => m.id)
  const receipt = await alice.call('user.erase', { dry_run: false })
  t.equal(receipt.dry_run, false)
  t.same(receipt.counts.memories, dry.counts.memories)
  t.equal(receipt.counts.vector_entries, dry.counts.memories)
  t.ok(Date.parse(receipt.erased_at) > 0)

  // the database: no row anywhere mentions alice (every text column of every table)
  const tables = (app.db.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'").all() as any[]).map((r) => r.name)
  for (const table of tables) {
    const cols = (app.db.sqlite.prepare(`PRAGMA table_info("${table}")`).all() as any[]).filter((c) => !/BLOB/i.test(c.type)).map((c) => `"${c.name}"`)
    const hits = app.db.sqlite.prepare(`SELECT count(*) AS n FROM "${table}" WHERE ${cols.map((c) => `CAST(${c} AS TEXT) = 'alice' OR CAST(${c} AS TEXT) LIKE '%origami%' OR CAST(${c} AS TEXT) LIKE '%Quince Street%'`).join(' OR ')}`).get() as any
    t.equal(hits.n, 0, `nothing of alice in ${table}`)
  }
  // the vector index: none of her vectors answers a search, bob's still does
  const [vector] = await app.vectors.embedder.embed(['Quince Street origami'])
  const found = await app.vectors.query({ vector: vector!, personaIds: [ariaId], userId: 'alice', limit: 50 })
  t.notOk(found.some((h) => aliceMemoryIds.includes(h.id)), 'no vector of hers is left')
  t.ok((await bob.call('memory.search', { persona_id: 'aria', query: 'Quince jam' })).memories.length > 0, 'bob keeps his')
})
