import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { ChromaClient } from 'chromadb'
import { createHashingEmbedder } from '../../src/llm/embedders/hashing.ts'
import { visibleTo, type Embedder, type IndexedMemory, type VectorQuery, type Visibility } from '../../src/memory/types.ts'
import { startBundledChroma, freePort, type BundledChroma } from '../../src/store/vector/chroma-process.ts'
import { collectionName, createChromaIndex, legacyCollectionName, type ChromaIndex } from '../../src/store/vector/chroma.ts'
import { createSqliteVectorSource, vectorToBlob } from '../../src/store/sqlite/vector-source.ts'
import { createVectorStore } from '../../src/store/vector/store.ts'
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/database.ts'
import { createSqliteRepositories } from '../../src/store/sqlite/repositories.ts'
import { parseConfig } from '../../src/config/index.ts'
import { createPersonaService } from '../../src/personas/service.ts'
import { loadMemorySettings } from '../../src/memory/settings.ts'
import { createMemoryService } from '../../src/memory/service.ts'

// Everything here runs against the real Chroma server bundled in the chromadb package.

function memoryLog () {
  const lines: Array<{ level: string, obj: Record<string, unknown>, msg?: string }> = []
  const at = (level: string) => (obj: object, msg?: string) => { lines.push({ level, obj: obj as Record<string, unknown>, msg }) }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}
const fakeEmbedder = (dimensions: number, id = `test-${dimensions}`): Embedder => ({ id, dimensions, embed: async () => [] })

async function chromaServer (t: Test, dataDir = t.testdir()): Promise<BundledChroma> {
  const chroma = await startBundledChroma({ dataDir, log: memoryLog() })
  t.teardown(() => chroma.stop())
  return chroma
}

async function chromaIndex (t: Test, url: string, embedder: Embedder): Promise<ChromaIndex> {
  const index = createChromaIndex({ url, log: memoryLog(), timeoutMs: 5000 })
  await index.open(embedder)
  t.teardown(() => index.close())
  return index
}

async function until (what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

const unit = (...xs: number[]) => Float32Array.from(xs)
/** every batch of the source (Array.fromAsync is Node 22) */
async function collect<T> (batches: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const batch of batches) out.push(batch)
  return out
}

t.test('bundled Chroma: starts on a loopback port with data in <dataDir>/chroma, stops and restarts', async (t) => {
  const dataDir = t.testdir()
  const log = memoryLog()
  const chroma = await startBundledChroma({ dataDir, log })
  t.teardown(() => chroma.stop())
  t.match(chroma.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.ok((await fetch(`${chroma.url}/api/v2/heartbeat`)).ok)
  t.ok(log.lines.some((l) => l.level === 'debug' && /Saving data to: .*chroma/.test(String(l.obj.chroma))), 'its output goes to the logger')
  t.notOk(log.lines.some((l) => /\x1b\[/.test(String(l.obj.chroma))), 'without colour codes')
  await chroma.stop()
  await t.rejects(fetch(`${chroma.url}/api/v2/heartbeat`), 'stopped: nothing answers')
  await chroma.stop() // idempotent
  await chroma.restart()
  t.ok((await fetch(`${chroma.url}/api/v2/heartbeat`)).ok, 'restarted on the same port')
})

t.test('bundled Chroma: a server that cannot start fails with its output', async (t) => {
  // Chroma's own argument check rejects the port: the process exits before answering
  await t.rejects(startBundledChroma({ dataDir: t.testdir(), log: memoryLog(), port: 70000 }), /bundled Chroma exited with code \d+ before answering[^]*70000/)
})

t.test('chroma index: upsert, replace, remove, top-k and the visibility rule on a real server', async (t) => {
  const chroma = await chromaServer(t)
  const index = await chromaIndex(t, chroma.url, fakeEmbedder(3))
  const m = (id: string, personaId: string, userId: string | null, visibility: Visibility, vector = unit(1, 0, 0)): IndexedMemory => ({ id, personaId, userId, visibility, vector })
  const all = [
    m('alice-private', 'p1', 'alice', 'private', unit(1, 0.1, 0)), m('bob-private', 'p1', 'bob', 'private'), m('bob-shared', 'p1', 'bob', 'shared'),
    m('bob-public', 'p1', 'bob', 'public', unit(1, 0.4, 0)), m('own', 'p1', null, 'private', unit(0, 1, 0)), m('p2-own-shared', 'p2', null, 'shared'),
    m('p2-alice-private', 'p2', 'alice', 'private'), m('p2-bob-public', 'p2', 'bob', 'public'),
  ]
  await index.upsert(all)
  t.equal(await index.count(), 8)
  const ids = async (q: Omit<VectorQuery, 'vector' | 'limit'>) => (await index.query({ vector: unit(1, 0, 0), limit: 100, ...q })).map((h) => h.id).sort()
  t.same(await ids({ personaIds: ['p1'], userId: 'alice' }), ['alice-private', 'bob-public', 'own'], "another user's private and shared memories never come back")
  t.same(await ids({ personaIds: ['p1'], userId: 'carol' }), ['bob-public', 'own'])
  t.same(await ids({ personaIds: ['p2'], userId: 'alice', visibilities: ['shared', 'public'] }), ['p2-bob-public', 'p2-own-shared'], 'cross-persona: shared and public only')
  t.same(await ids({ personaIds: ['p1', 'p2'], userId: 'bob', visibilities: ['public'] }), ['bob-public', 'p2-bob-public'])
  t.same(await ids({ personaIds: ['p3'], userId: 'alice' }), [])
  t.same(await ids({ personaIds: ['p1'], userId: 'alice', visibilities: [] }), [])
  for (const q of [{ personaIds: ['p1'], userId: 'alice' }, { personaIds: ['p1', 'p2'], userId: 'bob', visibilities: ['shared', 'public'] as Visibility[] }]) {
    const seen = await ids(q)
    t.same(seen, all.filter((x) => visibleTo(x, q)).map((x) => x.id).sort(), 'the same rule as visibleTo')
  }

  const hits = await index.query({ vector: unit(1, 0, 0), personaIds: ['p1'], userId: 'alice', limit: 2 })
  t.same(hits.map((h) => h.id), ['alice-private', 'bob-public'], 'nearest first, limited')
  t.ok(Math.abs(hits[0].similarity - 1 / Math.hypot(1, 0.1)) < 1e-4, 'similarity = 1 - cosine distance')

  await index.upsert([m('alice-private', 'p1', 'alice', 'private', unit(0, 0, 1))]) // replaced, not duplicated
  t.equal(await index.count(), 8)
  t.same((await index.query({ vector: unit(0, 0, 1), personaIds: ['p1'], userId: 'alice', limit: 1 }))[0].id, 'alice-private')
  await index.remove(['alice-private', 'bob-private', 'never-there'])
  t.equal(await index.count(), 6)
  t.same(await ids({ personaIds: ['p1'], userId: 'alice' }), ['bob-public', 'own'])
  t.same((await index.ids()).sort(), ['bob-public', 'bob-shared', 'own', 'p2-alice-private', 'p2-bob-public', 'p2-own-shared'])
  await t.rejects(index.upsert([m('bad', 'p1', null, 'private', unit(1, 0))]), /2 dimensions/)
  t.same(index.status(), { kind: 'chroma', available: true })
  await index.clear()
  t.equal(await index.count(), 0)
})

t.test('chroma index: top-k matches exact cosine on random vectors', async (t) => {
  const chroma = await chromaServer(t)
  const embedder = createHashingEmbedder()
  const index = await chromaIndex(t, chroma.url, embedder)
  const words = 'lute tavern dragon village ramen tax harbour ship storm garden winter music forest battle merchant silver'.split(' ')
  const texts = Array.from({ length: 400 }, (_, i) => Array.from({ length: 5 }, (_, j) => words[(i * 7 + j * 3 + (i >> j)) % words.length]).join(' ') + ` ${i}`)
  const vectors = await embedder.embed(texts)
  await index.upsert(texts.map((_, i) => ({ id: `m${i}`, personaId: i % 2 === 0 ? 'p1' : 'p2', userId: null, visibility: 'private', vector: vectors[i] })))
  t.equal(await index.count(), 400)
  let agree = 0
  for (let qi = 0; qi < 20; qi++) {
    const [q] = await embedder.embed([`${words[qi % words.length]} ${words[(qi * 5) % words.length]} tavern`])
    const got = (await index.query({ vector: q, personaIds: ['p1'], userId: 'u', limit: 5 })).map((h) => h.id)
    const want = vectors.map((v, i) => ({ id: `m${i}`, s: i % 2 === 0 ? v.reduce((a, x, d) => a + x * q[d], 0) : -Infinity }))
      .sort((a, b) => b.s - a.s).slice(0, 5).map((h) => h.id)
    if (got.join() === want.join()) agree++
  }
  t.ok(agree >= 18, `Chroma's HNSW agrees with exact search on ${agree}/20 top-5 lists`)
})

t.test('chroma index: one collection per embedder and persona, vectors of two embedders never mix', async (t) => {
  const chroma = await chromaServer(t)
  const a = await chromaIndex(t, chroma.url, fakeEmbedder(3, 'hash-3'))
  const b = await chromaIndex(t, chroma.url, fakeEmbedder(3, 'ollama-nomic-embed-text:v1.5-3'))
  const uuid = '6f1c0a4e-5b7d-4c1e-9f3a-2b8d7e6c5a41'
  await a.upsert([{ id: 'from-a', personaId: 'p1', userId: null, visibility: 'private', vector: unit(1, 0, 0) }, { id: 'a-uuid', personaId: uuid, userId: null, visibility: 'private', vector: unit(1, 0, 0) }])
  await b.upsert([{ id: 'from-b', personaId: 'p1', userId: null, visibility: 'private', vector: unit(1, 0, 0) }, { id: 'b-odd', personaId: 'Odd persona_1!', userId: null, visibility: 'private', vector: unit(1, 0, 0) }])
  const q = { vector: unit(1, 0, 0), personaIds: ['p1'], userId: 'u', limit: 10 }
  t.same((await a.query(q)).map((h) => h.id), ['from-a'])
  t.same((await b.query(q)).map((h) => h.id), ['from-b'])
  t.same((await a.query({ ...q, personaIds: ['p1', uuid] })).map((h) => h.id).sort(), ['a-uuid', 'from-a'])
  t.same((await b.query({ ...q, personaIds: ['Odd persona_1!'] })).map((h) => h.id), ['b-odd'])
  t.equal(await a.count(), 2)
  const port = Number(new URL(chroma.url).port)
  const names = (await new ChromaClient({ host: '127.0.0.1', port }).listCollections()).map((c) => c.name).sort()
  t.same(names, [`pm_hash-3_${uuid}`, 'pm_hash-3_p1', collectionName('ollama-nomic-embed-text:v1.5-3', 'Odd persona_1!'), 'pm_ollama-nomic-embed-text-v1-5-3_p1'].sort())
  t.match(collectionName('e', 'Odd persona_1!'), /^pm_e_[0-9a-f]{32}$/, 'a persona id outside [a-zA-Z0-9-] is hashed')
  t.equal(legacyCollectionName('ollama-nomic-embed-text:v1.5-3'), 'persona_memories_ollama-nomic-embed-text-v1-5-3')
})

t.test('chroma index: a search past others\' private memories asks Chroma to filter; removals reach memories of another instance', async (t) => {
  const chroma = await chromaServer(t)
  const embedder = fakeEmbedder(3)
  const index = await chromaIndex(t, chroma.url, embedder)
  // bob's 40 private memories sit nearest the query: the unfiltered first try (limit * 1.25 + 8) sees none of alice's
  const bob = Array.from({ length: 40 }, (_, i): IndexedMemory => ({ id: `bob-${i}`, personaId: 'p1', userId: 'bob', visibility: 'private', vector: unit(1, 0.001 * i, 0) }))
  await index.upsert([...bob, { id: 'alice-far', personaId: 'p1', userId: 'alice', visibility: 'private', vector: unit(0, 1, 0) }])
  t.same((await index.query({ vector: unit(1, 0, 0), personaIds: ['p1'], userId: 'alice', limit: 2 })).map((h) => h.id), ['alice-far'])
  // another index on the same server (another instance) wrote these; this one learns nothing of them
  const other = await chromaIndex(t, chroma.url, embedder)
  await other.upsert([{ id: 'theirs', personaId: 'p2', userId: null, visibility: 'private', vector: unit(0, 0, 1) }])
  t.same((await index.query({ vector: unit(0, 0, 1), personaIds: ['p2'], userId: 'u', limit: 1 })).map((h) => h.id), ['theirs'], 'a collection made elsewhere is found')
  await index.remove(['theirs', 'bob-0'])
  t.equal(await other.count(), 40)
  t.same(await other.query({ vector: unit(0, 0, 1), personaIds: ['p2'], userId: 'u', limit: 1 }), [])
})

t.test('chroma index: a failing server marks it unavailable with the error, heartbeat refreshes', async (t) => {
  const chroma = await chromaServer(t)
  const index = await chromaIndex(t, chroma.url, fakeEmbedder(3))
  await index.upsert([{ id: 'm', personaId: 'p1', userId: null, visibility: 'private', vector: unit(1, 0, 0) }])
  await chroma.stop()
  await t.rejects(index.query({ vector: unit(1, 0, 0), personaIds: ['p1'], userId: 'u', limit: 1 }))
  t.match(index.status(), { kind: 'chroma', available: false, detail: /query failed/ })
  await t.rejects(index.query({ vector: unit(1, 0, 0), personaIds: ['p2'], userId: 'u', limit: 1 }), 'a persona not seen yet: the lookup fails too, not "no collection"')
  t.equal(await index.heartbeat(), false)
  await chroma.restart()
  t.equal(await index.heartbeat(), true)
  t.same(index.status(), { kind: 'chroma', available: true })
  t.same((await index.query({ vector: unit(1, 0, 0), personaIds: ['p1'], userId: 'u', limit: 1 })).map((h) => h.id), ['m'])
  t.same(await index.query({ vector: unit(1, 0, 0), personaIds: ['p2'], userId: 'u', limit: 1 }), [], 'no collection: no hits')
  t.same(index.status(), { kind: 'chroma', available: true }, 'a missing collection is an answer, not a failure')
})

// --- the store over a real SQLite database and a real Chroma ---

async function database (t: Test): Promise<SqliteDatabase> {
  const db = await openDatabase({ file: path.join(t.testdir(), 'db', 'persona.db') })
  t.teardown(() => db.close())
  for (const id of ['p1', 'p2']) await db.prisma.persona.create({ data: { id, name: id, nameKey: id, personalityTraits: {}, topicPreferences: {} } })
  return db
}

const TEXTS = [
  'I love playing the lute in taverns', 'quarterly tax filing deadlines', 'the dragon burned the northern village',
  'spicy ramen is my favourite food', 'my cat sleeps on the windowsill', 'we sailed through the storm at night',
  'the old library smells of dust and candle wax', 'a merchant sold me a silver ring at the market',
]

/** stores a memory as the memory service would: SQLite first (indexedAt NULL), then the index */
async function remember (db: SqliteDatabase, embedder: Embedder, id: string, content: string, extra: { personaId?: string, userId?: string | null, visibility?: Visibility } = {}) {
  const [vector] = await embedder.embed([content])
  const row = { id, personaId: extra.personaId ?? 'p1', userId: extra.userId ?? null, visibility: extra.visibility ?? 'private' as Visibility, vector }
  await db.prisma.memory.create({
    data: {
      id, personaId: row.personaId, userId: row.userId, visibility: row.visibility, content, importance: 0.5, baseImportance: 0.5,
      relatedPersonas: [], metadata: {}, embedding: new Uint8Array(vectorToBlob(vector)), embeddingModel: embedder.id,
    },
  })
  return row
}

t.test('store (chroma): Chroma killed mid-run, searches answer from SQLite, writes resync when it returns', async (t) => {
  const dataDir = t.testdir()
  const db = await database(t)
  const chroma = await chromaServer(t, dataDir)
  const embedder = createHashingEmbedder()
  const source = createSqliteVectorSource(db)
  // memories already in SQLite before the first open: a fresh Chroma gets them all
  for (const [i, text] of TEXTS.slice(0, 5).entries()) await remember(db, embedder, `m${i}`, text, { userId: i === 1 ? 'bob' : null })
  const log = memoryLog()
  const index = createChromaIndex({ url: chroma.url, log, timeoutMs: 5000 })
  const store = createVectorStore({ kind: 'chroma', chroma: index, source, embedder, log, recheckMs: 100 })
  t.teardown(() => store.close())
  await store.open(embedder)
  t.equal(await index.count(), 5, 'the empty collection was filled from SQLite')
  t.same((await source.pending(embedder.id, 100)), [])
  t.match(store.status(), { kind: 'chroma', available: true, configured: 'chroma', chroma: { available: true } })

  const queries = await embedder.embed(['she plays lute music at the tavern', 'a storm at sea', 'dragons attacking villages', 'buying jewellery'])
  const search = async (vector: Float32Array) => (await store.query({ vector, personaIds: ['p1'], userId: 'alice', limit: 3 })).map((h) => h.id)
  t.equal((await search(queries[0]))[0], 'm0')

  await chroma.stop()
  // writes are accepted while Chroma is down: SQLite has them, pending
  const m5 = await remember(db, embedder, 'm5', TEXTS[5])
  await store.upsert([m5])
  t.match(store.status(), { kind: 'local', available: true, configured: 'chroma', detail: /Chroma down/, chroma: { available: false } })
  t.equal(log.lines.filter((l) => l.level === 'warn' && /Chroma failed/.test(l.msg ?? '')).length, 1, 'logged once')
  t.same((await source.pending(embedder.id, 100)).map((m) => m.id), ['m5'])
  t.equal((await search(queries[1]))[0], 'm5', 'search answers from the local index, new write included')
  t.equal((await search(queries[0]))[0], 'm0')
  const m6 = await remember(db, embedder, 'm6', TEXTS[6])
  await store.upsert([m6])
  await db.prisma.memory.update({ where: { id: 'm2' }, data: { prunedAt: new Date() } })
  await store.remove(['m2'])
  t.not((await search(queries[2]))[0], 'm2', 'removed from the fallback at once')
  const whileDown = await Promise.all(queries.map((q) => store.query({ vector: q, personaIds: ['p1'], userId: 'alice', limit: 4 })))
  t.equal(log.lines.filter((l) => l.level === 'warn').length, 1, 'still logged once')

  await chroma.restart()
  await until('Chroma back in charge', () => store.status().kind === 'chroma')
  t.same((await source.pending(embedder.id, 100)), [], 'pending rows synced')
  t.equal(await index.count(), 6, 'm5 and m6 in, m2 out')
  t.ok(log.lines.some((l) => l.level === 'info' && /Chroma in step with SQLite/.test(l.msg ?? '')))
  const afterBack = await Promise.all(queries.map((q) => index.query({ vector: q, personaIds: ['p1'], userId: 'alice', limit: 4 })))
  t.same(afterBack.map((hits) => hits.map((h) => h.id)), whileDown.map((hits) => hits.map((h) => h.id)), 'Chroma answers as the local index did')
  for (const [i, hits] of afterBack.entries()) {
    for (const [j, hit] of hits.entries()) t.ok(Math.abs(hit.similarity - whileDown[i][j].similarity) < 1e-4)
  }
  t.notOk(afterBack.flat().some((h) => h.id === 'm1'), "bob's private memory never reaches alice")
})

t.test('store (chroma): a failed search is answered locally at once; removals while up go straight to Chroma', async (t) => {
  const db = await database(t)
  const chroma = await chromaServer(t)
  const embedder = createHashingEmbedder()
  const source = createSqliteVectorSource(db)
  for (const [i, text] of TEXTS.entries()) await remember(db, embedder, `m${i}`, text)
  const index = createChromaIndex({ url: chroma.url, log: memoryLog(), timeoutMs: 5000 })
  const store = createVectorStore({ kind: 'chroma', chroma: index, source, embedder, log: memoryLog(), recheckMs: 60_000 })
  t.teardown(() => store.close())
  await store.open(embedder)
  await db.prisma.memory.update({ where: { id: 'm7' }, data: { prunedAt: new Date() } })
  await store.remove(['m7'])
  t.equal(await index.count(), TEXTS.length - 1)
  t.equal(await store.sync(), 0, 'nothing pending')

  const [q] = await embedder.embed(['a silver ring from the market'])
  const expected = await store.query({ vector: q, personaIds: ['p1'], userId: 'u', limit: 3 })
  await chroma.stop()
  t.same((await store.query({ vector: q, personaIds: ['p1'], userId: 'u', limit: 3 })).map((h) => h.id), expected.map((h) => h.id), 'the same answer, from SQLite')
  t.equal(store.status().kind, 'local')
  t.equal(await store.count(), TEXTS.length - 1)
  t.equal(await store.sync(), 0, 'sync waits for the re-check while Chroma is down')
})

t.test('store (chroma): unavailable at start, then reconciles a Chroma that lost its data', async (t) => {
  const db = await database(t)
  const embedder = createHashingEmbedder()
  const source = createSqliteVectorSource(db)
  for (const [i, text] of TEXTS.entries()) await remember(db, embedder, `m${i}`, text)
  const port = await freePort()
  const log = memoryLog()
  const index = createChromaIndex({ url: `http://127.0.0.1:${port}`, log, timeoutMs: 5000 })
  const store = createVectorStore({ kind: 'chroma', chroma: index, source, embedder, log, recheckMs: 100 })
  t.teardown(() => store.close())
  await store.open(embedder)
  t.match(log.lines, [{ level: 'warn', msg: /unavailable at start/ }])
  const [q] = await embedder.embed(['the smell of candles in an old library'])
  t.equal((await store.query({ vector: q, personaIds: ['p1'], userId: 'u', limit: 1 }))[0].id, 'm6', 'searches answer from SQLite')

  const chroma = await startBundledChroma({ dataDir: t.testdir(), log: memoryLog(), port })
  t.teardown(() => chroma.stop())
  await until('Chroma in charge', () => store.status().kind === 'chroma')
  t.equal(await index.count(), TEXTS.length)
  t.equal((await store.query({ vector: q, personaIds: ['p1'], userId: 'u', limit: 1 }))[0].id, 'm6')

  // rebuild starts the collection over from SQLite
  await db.prisma.memory.update({ where: { id: 'm6' }, data: { prunedAt: new Date() } })
  await store.rebuild()
  t.equal(await store.count(), TEXTS.length - 1)
  t.not((await store.query({ vector: q, personaIds: ['p1'], userId: 'u', limit: 1 }))[0].id, 'm6')
})

t.test('store (chroma): a Chroma far behind SQLite catches up in the background while the local index answers', async (t) => {
  const db = await database(t)
  const chroma = await chromaServer(t)
  const source = createSqliteVectorSource(db)
  const embedder = fakeEmbedder(8, 'bulk-8')
  const vector = (i: number) => Float32Array.from({ length: 8 }, (_, d) => Math.sin(i * 0.37 + d * 1.3))
  await db.prisma.memory.createMany({
    data: Array.from({ length: 6000 }, (_, i) => ({
      id: `m${i}`, personaId: 'p1', content: `memory ${i}`, importance: 0.5, baseImportance: 0.5, relatedPersonas: [], metadata: {},
      embedding: new Uint8Array(vectorToBlob(vector(i))), embeddingModel: embedder.id,
    })),
  })
  const index = createChromaIndex({ url: chroma.url, log: memoryLog(), timeoutMs: 30_000 })
  const log = memoryLog()
  const store = createVectorStore({ kind: 'chroma', chroma: index, source, embedder, log, recheckMs: 100 })
  t.teardown(() => store.close())
  await store.open(embedder)
  t.match(log.lines, [{ level: 'info', obj: { behind: 6000 }, msg: /catching up in the background/ }])
  t.match(store.status(), { kind: 'local', detail: /catching up/ })
  const q = { vector: vector(1234), personaIds: ['p1'], userId: 'u', limit: 1 }
  t.equal((await store.query(q))[0].id, 'm1234', 'answered from SQLite meanwhile')
  await until('the catch-up', () => store.status().kind === 'chroma', 60_000)
  t.equal(await index.count(), 6000)
  t.equal((await source.pendingCount(embedder.id)), 0)
  t.equal((await store.query(q))[0].id, 'm1234', 'answered by Chroma')
})

t.test('store (chroma): switching embedders re-embeds from SQLite into a collection of its own', async (t) => {
  const db = await database(t)
  const chroma = await chromaServer(t)
  const source = createSqliteVectorSource(db)
  const first = createHashingEmbedder()
  for (const [i, text] of TEXTS.entries()) await remember(db, first, `m${i}`, text)
  const open = async (embedder: Embedder) => {
    const index = createChromaIndex({ url: chroma.url, log: memoryLog() })
    const store = createVectorStore({ kind: 'chroma', chroma: index, source, embedder, log: memoryLog(), recheckMs: 1000, reembedOnOpen: false })
    t.teardown(() => store.close())
    await store.open(embedder)
    return { index, store }
  }
  const before = await open(first)
  t.equal(await before.index.count(), TEXTS.length)
  await before.store.close()

  const second = createHashingEmbedder(128)
  const after = await open(second)
  t.equal(await after.index.count(), 0, 'a new collection: nothing of the old embedder')
  t.equal((await source.staleEmbeddings(second.id, 100)).length, TEXTS.length)
  t.equal(await after.store.reembed(), TEXTS.length)
  t.equal(await after.index.count(), TEXTS.length)
  t.equal(await db.prisma.memory.count({ where: { embeddingModel: second.id, indexedAt: { not: null } } }), TEXTS.length)
  const [q] = await second.embed(['the dragon attacked the villages in the north'])
  t.equal((await after.store.query({ vector: q, personaIds: ['p1'], userId: 'u', limit: 1 }))[0].id, 'm2')
  const port = Number(new URL(chroma.url).port)
  const names = (await new ChromaClient({ host: '127.0.0.1', port }).listCollections()).map((c) => c.name).sort()
  t.same(names, ['pm_hash-128_p1', 'pm_hash-384_p1'])
})

t.test('store (chroma): the old collection shared by every persona is dropped at open, the store refills one per persona', async (t) => {
  const db = await database(t) // first: t.testdir() starts the directory over
  const chroma = await chromaServer(t)
  const embedder = createHashingEmbedder()
  const source = createSqliteVectorSource(db)
  for (const [i, text] of TEXTS.entries()) await remember(db, embedder, `m${i}`, text, { personaId: i % 2 === 0 ? 'p1' : 'p2' })
  db.sqlite.prepare('UPDATE Memory SET indexedAt = ?').run('2026-11-01T00:00:00.000+00:00') // indexed, in the old layout
  const port = Number(new URL(chroma.url).port)
  const client = new ChromaClient({ host: '127.0.0.1', port })
  const legacy = await client.getOrCreateCollection({ name: legacyCollectionName(embedder.id), embeddingFunction: null, configuration: { hnsw: { space: 'cosine' } } })
  const rows = (await collect(source.batches(embedder.id, 100))).flat()
  await legacy.upsert({ ids: rows.map((r) => r.id), embeddings: rows.map((r) => Array.from(r.vector)), metadatas: rows.map((r) => ({ personaId: r.personaId, userId: '', visibility: r.visibility })) })
  const log = memoryLog()
  const index = createChromaIndex({ url: chroma.url, log, timeoutMs: 5000 })
  const store = createVectorStore({ kind: 'chroma', chroma: index, source, embedder, log, recheckMs: 60_000 })
  t.teardown(() => store.close())
  await store.open(embedder)
  t.ok(log.lines.some((l) => /shared by every persona is dropped/.test(l.msg ?? '')))
  const names = (await client.listCollections()).map((c) => c.name).sort()
  t.same(names, ['pm_hash-384_p1', 'pm_hash-384_p2'])
  t.equal(await index.count(), TEXTS.length)
  t.equal(store.status().kind, 'chroma')
  const [q] = await embedder.embed(['the dragon attacked the villages in the north'])
  t.equal((await store.query({ vector: q, personaIds: ['p1'], userId: 'u', limit: 1 }))[0].id, 'm2')
})

t.test('memory service: a memory stored while Chroma is down stays pending, and reaches Chroma when it is back', async (t) => {
  const db = await database(t)
  const chroma = await chromaServer(t)
  const embedder = createHashingEmbedder()
  const source = createSqliteVectorSource(db)
  const log = memoryLog()
  const index = createChromaIndex({ url: chroma.url, log, timeoutMs: 5000 })
  const store = createVectorStore({ kind: 'chroma', chroma: index, source, embedder, log, recheckMs: 100 })
  t.teardown(() => store.close())
  await store.open(embedder)
  const repositories = createSqliteRepositories(db)
  const config = parseConfig({})
  const personas = createPersonaService({ repository: repositories.personas, rules: config.personas })
  await personas.init()
  const settings = await loadMemorySettings(repositories.memorySettings, config.memory)
  const memory = createMemoryService({ repository: repositories.memories, index: store, embedder, settings, findPersona: personas.find, log })

  const before = await memory.store({ personaId: 'p1', userId: 'alice', content: TEXTS[0], importance: 0.6 })
  t.same(await source.pending(embedder.id, 100), [], 'with Chroma up: indexed')
  await chroma.stop()
  const during = await memory.store({ personaId: 'p1', userId: 'alice', content: TEXTS[5], importance: 0.6 })
  t.same((await source.pending(embedder.id, 100)).map((m) => m.id), [during.id], 'with Chroma down: in the local index, pending for Chroma')
  await chroma.restart()
  await until('Chroma back in charge', () => store.status().kind === 'chroma')
  t.same(await source.pending(embedder.id, 100), [], 'synced')
  const [vector] = await embedder.embed([TEXTS[5]])
  t.same((await index.query({ vector, personaIds: ['p1'], userId: 'alice', limit: 1 })).map((h) => h.id), [during.id], 'Chroma has the memory written while it was down')
  t.not(before.id, during.id)
})
