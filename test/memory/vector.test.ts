import path from 'node:path'
import t, { type Test } from 'tap'
import { createHashingEmbedder } from '../../src/llm/embedders/hashing.ts'
import { visibleTo, type Embedder, type IndexedMemory, type VectorQuery, type Visibility } from '../../src/memory/types.ts'
import { createLocalIndex } from '../../src/store/vector/local.ts'
import { blobToVector, createSqliteVectorSource, vectorToBlob } from '../../src/store/sqlite/vector-source.ts'
import { createVectorStore } from '../../src/store/vector/store.ts'
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/database.ts'

const silent = { debug () {}, info () {}, warn () {}, error () {} }
const fakeEmbedder = (dimensions: number, id = `test-${dimensions}`): Embedder => ({ id, dimensions, embed: async () => [] })

/** a seeded PRNG (mulberry32): failures reproduce */
function prng (seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}
const randomVector = (rnd: () => number, dims: number) => Float32Array.from({ length: dims }, () => rnd() * 2 - 1)
const VISIBILITIES: Visibility[] = ['private', 'shared', 'public']
/** every batch of the source (Array.fromAsync is Node 22) */
async function collect<T> (batches: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const batch of batches) out.push(batch)
  return out
}

/** the reference: filter with visibleTo, cosine with norms in double precision, sort everything */
function bruteForce (items: Map<string, IndexedMemory>, q: VectorQuery) {
  const cos = (a: Float32Array, b: Float32Array) => {
    let d = 0; let na = 0; let nb = 0
    for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i] }
    return d / Math.sqrt(na * nb)
  }
  return [...items.values()].filter((m) => visibleTo(m, q)).map((m) => ({ id: m.id, similarity: cos(m.vector, q.vector) }))
    .sort((a, b) => b.similarity - a.similarity).slice(0, q.limit)
}

t.test('local index (exact scans): top-k equals a brute-force reference under upserts, replacements and removals', async (t) => {
  const rnd = prng(42)
  const dims = 48
  const index = createLocalIndex({ exactUpTo: Infinity })
  await index.open(fakeEmbedder(dims))
  const truth = new Map<string, IndexedMemory>()
  const personas = ['p1', 'p2', 'p3']
  const users = ['u1', 'u2', 'u3', null]
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]
  const make = (id: string): IndexedMemory => ({ id, personaId: pick(personas), userId: pick(users), visibility: pick(VISIBILITIES), vector: randomVector(rnd, dims) })
  const items = Array.from({ length: 1500 }, (_, i) => make(`m${i}`))
  await index.upsert(items)
  for (const m of items) truth.set(m.id, m)
  // replace some (vector, owner, visibility, even persona) and remove others, so swap-remove is exercised
  const replaced = Array.from({ length: 300 }, () => make(`m${Math.floor(rnd() * 1500)}`))
  await index.upsert(replaced)
  for (const m of replaced) truth.set(m.id, m)
  const removed = Array.from({ length: 400 }, () => `m${Math.floor(rnd() * 1500)}`)
  await index.remove([...removed, 'never-there'])
  for (const id of removed) truth.delete(id)
  t.equal(await index.count(), truth.size)

  for (let i = 0; i < 200; i++) {
    const q: VectorQuery = {
      vector: randomVector(rnd, dims),
      personaIds: personas.filter(() => rnd() < 0.5),
      userId: pick(['u1', 'u2', 'u3']),
      ...(rnd() < 0.3 ? { visibilities: VISIBILITIES.filter(() => rnd() < 0.6) } : {}),
      limit: pick([1, 5, 10, 50]),
    }
    const got = await index.query(q)
    const want = bruteForce(truth, q)
    if (got.map((h) => h.id).join() !== want.map((h) => h.id).join() || got.some((h, j) => Math.abs(h.similarity - want[j].similarity) > 1e-5)) {
      t.fail(`query ${i} differs`, { got, want, q: { ...q, vector: undefined } })
      return
    }
  }
  t.pass('200 random queries match the reference exactly (order and similarity)')
})

t.test('local index: the visibility rule and per-persona scoping', async (t) => {
  const index = createLocalIndex()
  await index.open(fakeEmbedder(3))
  const v = Float32Array.of(1, 0, 0)
  const m = (id: string, personaId: string, userId: string | null, visibility: Visibility): IndexedMemory => ({ id, personaId, userId, visibility, vector: v })
  await index.upsert([
    m('alice-private', 'p1', 'alice', 'private'), m('bob-private', 'p1', 'bob', 'private'), m('bob-shared', 'p1', 'bob', 'shared'),
    m('bob-public', 'p1', 'bob', 'public'), m('own', 'p1', null, 'private'), m('p2-own-shared', 'p2', null, 'shared'),
    m('p2-alice-private', 'p2', 'alice', 'private'), m('p2-bob-public', 'p2', 'bob', 'public'),
  ])
  const ids = async (q: Omit<VectorQuery, 'vector' | 'limit'>) => (await index.query({ vector: v, limit: 100, ...q })).map((h) => h.id).sort()
  t.same(await ids({ personaIds: ['p1'], userId: 'alice' }), ['alice-private', 'bob-public', 'own'], "another user's private and shared memories never come back")
  t.same(await ids({ personaIds: ['p1'], userId: 'carol' }), ['bob-public', 'own'])
  t.same(await ids({ personaIds: ['p2'], userId: 'alice', visibilities: ['shared', 'public'] }), ['p2-bob-public', 'p2-own-shared'], 'cross-persona: shared and public only')
  t.same(await ids({ personaIds: ['p1', 'p2'], userId: 'bob', visibilities: ['public'] }), ['bob-public', 'p2-bob-public'])
  t.same(await ids({ personaIds: ['p3'], userId: 'alice' }), [], 'unknown persona')
  t.same(await ids({ personaIds: ['p1'], userId: 'alice', visibilities: [] }), [])
  t.same(await index.query({ vector: v, personaIds: ['p1'], userId: 'alice', limit: 0 }), [])

  // a memory moving to another persona leaves the first one
  await index.upsert([m('own', 'p2', null, 'private')])
  t.same(await ids({ personaIds: ['p1'], userId: 'alice' }), ['alice-private', 'bob-public'])
  t.ok((await ids({ personaIds: ['p2'], userId: 'alice' })).includes('own'))
  t.ok(index.has('own'))

  await t.rejects(index.upsert([m('bad', 'p1', null, 'private'), { ...m('x', 'p1', null, 'public'), vector: Float32Array.of(1, 0) }]), /2 dimensions/)
  await t.rejects(index.query({ vector: Float32Array.of(1), personaIds: ['p1'], userId: 'a', limit: 1 }), /1 dimensions/)
  // another embedder: the old vectors are gone
  await index.open(fakeEmbedder(3, 'other-3'))
  t.equal(await index.count(), 0)
  t.same(index.status(), { kind: 'local', available: true })
})

t.test('local index: many personas growing side by side (regions moved, holes compacted) stay exact', async (t) => {
  const rnd = prng(99)
  const dims = 20 // not a multiple of 16: rows are padded
  const index = createLocalIndex()
  await index.open(fakeEmbedder(dims))
  const truth = new Map<string, IndexedMemory>()
  for (let round = 0; round < 300; round++) {
    const batch = Array.from({ length: 40 }, (_, p) => ({ id: `p${p}-${round}`, personaId: `p${p}`, userId: null, visibility: 'private' as const, vector: randomVector(rnd, dims) }))
    await index.upsert(batch)
    for (const m of batch) truth.set(m.id, m)
    if (round % 7 === 0) {
      const gone = [...truth.keys()].filter(() => rnd() < 0.05)
      await index.remove(gone)
      for (const id of gone) truth.delete(id)
    }
  }
  t.equal(await index.count(), truth.size)
  for (let p = 0; p < 40; p++) {
    const q: VectorQuery = { vector: randomVector(rnd, dims), personaIds: [`p${p}`], userId: 'u', limit: 7 }
    t.same((await index.query(q)).map((h) => h.id), bruteForce(truth, q).map((h) => h.id), `persona p${p}`)
  }
})

t.test('local index: growth past the initial block and zero vectors', async (t) => {
  const index = createLocalIndex()
  await index.open(fakeEmbedder(4))
  const rnd = prng(7)
  await index.upsert(Array.from({ length: 1000 }, (_, i) => ({ id: `m${i}`, personaId: 'p', userId: null, visibility: 'private' as const, vector: randomVector(rnd, 4) })))
  await index.upsert([{ id: 'zero', personaId: 'p', userId: null, visibility: 'private', vector: new Float32Array(4) }])
  const hits = await index.query({ vector: Float32Array.of(1, 1, 1, 1), personaIds: ['p'], userId: 'u', limit: 1001 })
  t.equal(hits.length, 1001)
  t.equal(hits.find((h) => h.id === 'zero')?.similarity, 0, 'a zero vector is similar to nothing')
  for (let i = 1; i < hits.length; i++) if (hits[i].similarity > hits[i - 1].similarity) t.fail('not sorted')
  await index.close()
  t.equal(await index.count(), 0)
})

/** clustered vectors, like embeddings of texts on a few topics: nearest neighbours mean something */
function clustered (rnd: () => number, dims: number, topics = 40) {
  const centres = Array.from({ length: topics }, () => randomVector(rnd, dims))
  return () => Float32Array.from(centres[Math.floor(rnd() * topics)], (x) => x + (rnd() * 2 - 1) * 0.8)
}

t.test('local index (two-pass scans): codes follow their rows through growth, swap-removes, moves and compaction', async (t) => {
  const rnd = prng(2024)
  const dims = 64
  const sample = clustered(rnd, dims)
  const index = createLocalIndex({ exactUpTo: 0 })
  await index.open(fakeEmbedder(dims))
  const truth = new Map<string, IndexedMemory>()
  const personas = ['p1', 'p2', 'p3', 'p4']
  const users = ['u1', 'u2', null]
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]
  const make = (id: string, personaId = pick(personas)): IndexedMemory => ({ id, personaId, userId: pick(users), visibility: pick(VISIBILITIES), vector: sample() })
  // personas grow side by side (regions move and leave holes), some rows are replaced (even to another persona) or removed
  for (let round = 0; round < 40; round++) {
    const batch = Array.from({ length: 300 }, (_, i) => make(`m${round}-${i}`, personas[i % 4]))
    await index.upsert(batch)
    for (const m of batch) truth.set(m.id, m)
    const ids = [...truth.keys()]
    const replaced = Array.from({ length: 30 }, () => make(pick(ids)))
    await index.upsert(replaced)
    for (const m of replaced) truth.set(m.id, m)
    const gone = Array.from({ length: 60 }, () => pick(ids))
    await index.remove(gone)
    for (const id of gone) truth.delete(id)
  }
  t.equal(await index.count(), truth.size)
  let found = 0
  let wanted = 0
  for (let i = 0; i < 100; i++) {
    const q: VectorQuery = { vector: sample(), personaIds: i % 3 === 0 ? ['p1', 'p3'] : [pick(personas)], userId: pick(['u1', 'u2']), limit: 10 }
    if (i % 5 === 0) q.visibilities = ['shared', 'public']
    const got = await index.query(q)
    const want = bruteForce(truth, q)
    const exact = new Map(want.map((h) => [h.id, h.similarity]))
    for (const h of got) {
      const m = truth.get(h.id)
      if (m === undefined || !visibleTo(m, q)) { t.fail(`query ${i}: ${h.id} must not be seen`, { q: { ...q, vector: undefined } }); return }
    }
    for (let j = 1; j < got.length; j++) if (got[j].similarity > got[j - 1].similarity) t.fail(`query ${i}: not sorted`)
    found += got.filter((h) => exact.has(h.id) && Math.abs((exact.get(h.id) as number) - h.similarity) < 1e-5).length
    wanted += want.length
    t.equal(got.length, want.length)
  }
  // a code left behind by a move picks wrong candidates: without swap-remove moving codes, recall is 0.82
  t.ok(found / wanted >= 0.95, `recall@10 ${(found / wanted).toFixed(3)} against an exact scan, similarities exact`)
})

t.test('local index (two-pass scans): a block whose rows all pass skips the filter, and only then', async (t) => {
  const rnd = prng(77)
  const dims = 32
  const sample = clustered(rnd, dims)
  const index = createLocalIndex({ exactUpTo: 0 })
  await index.open(fakeEmbedder(dims))
  const rows = Array.from({ length: 3000 }, (_, i): IndexedMemory => ({ id: `m${i}`, personaId: 'p', userId: i % 2 === 0 ? 'u1' : null, visibility: 'private', vector: sample() }))
  await index.upsert(rows)
  const near = sample()
  const ids = async (userId: string) => (await index.query({ vector: near, personaIds: ['p'], userId, limit: 5 })).map((h) => h.id)
  await index.upsert([{ id: 'u2-secret', personaId: 'p', userId: 'u2', visibility: 'private', vector: near }])
  t.notOk((await ids('u1')).includes('u2-secret'), "another user's private row: the filter runs")
  t.equal((await ids('u2'))[0], 'u2-secret', 'its owner sees it first')
  await index.upsert([{ id: 'u2-secret', personaId: 'p', userId: 'u2', visibility: 'public', vector: near }])
  t.equal((await ids('u1'))[0], 'u2-secret', 'made public: everyone sees it')
  await index.upsert([{ id: 'u2-secret', personaId: 'p', userId: 'u2', visibility: 'shared', vector: near }])
  t.notOk((await ids('u1')).includes('u2-secret'), 'shared again: hidden again')
  t.notOk((await ids('u3')).some((id) => Number(id.slice(1)) % 2 === 0), "u1's rows never reach u3")
  await index.remove(['u2-secret'])
  t.notOk((await ids('u3')).some((id) => Number(id.slice(1)) % 2 === 0), 'nor after the last other owner left')
  t.ok((await ids('u1')).length === 5)
})

t.test('local index (two-pass scans): near-duplicates finer than int8 still rank exactly', async (t) => {
  const rnd = prng(3)
  const dims = 16
  const base = [randomVector(rnd, dims), randomVector(rnd, dims)]
  // 4000 rows around two points, ~0.003 apart: the int8 copies cannot tell them apart, float32 can
  const rows = Array.from({ length: 4000 }, (_, i): IndexedMemory => ({ id: `m${i}`, personaId: 'p', userId: null, visibility: 'private', vector: base[i % 2].map((x) => x + (rnd() - 0.5) * 3e-3) }))
  for (const index of [createLocalIndex(), createLocalIndex({ exactUpTo: Infinity })]) {
    await index.open(fakeEmbedder(dims))
    await index.upsert(rows)
    for (const i of [0, 1, 1234, 3999]) {
      const [hit] = await index.query({ vector: rows[i].vector, personaIds: ['p'], userId: 'u', limit: 1 })
      t.equal(hit.id, `m${i}`, `row ${i} is its own nearest`)
    }
  }
})

t.test('local index: the two-pass and the exact scan agree on 10k hashed texts (recall@10)', async (t) => {
  const rnd = prng(5)
  const embedder = createHashingEmbedder(384)
  const words = Array.from({ length: 1500 }, (_, i) => `w${i.toString(36)}x${Math.floor(rnd() * 1e6).toString(36)}`)
  const text = () => Array.from({ length: 6 + Math.floor(rnd() * 12) }, () => words[Math.floor(rnd() ** 2 * words.length)]).join(' ')
  const vectors = await embedder.embed(Array.from({ length: 10_000 }, text))
  const items = vectors.map((vector, i): IndexedMemory => ({ id: `m${i}`, personaId: 'p', userId: null, visibility: 'private', vector }))
  const fast = createLocalIndex()
  const exact = createLocalIndex({ exactUpTo: Infinity })
  for (const index of [fast, exact]) { await index.open(embedder); await index.upsert(items) }
  let found = 0
  const queries = await embedder.embed(Array.from({ length: 100 }, text))
  for (const vector of queries) {
    const q: VectorQuery = { vector, personaIds: ['p'], userId: 'u', limit: 10 }
    const want = new Set((await exact.query(q)).map((h) => h.id))
    found += (await fast.query(q)).filter((h) => want.has(h.id)).length
  }
  t.ok(found / 1000 >= 0.95, `recall@10 ${(found / 1000).toFixed(3)}`)
})

// --- SQLite: a real migrated database ---

async function database (t: Test): Promise<SqliteDatabase> {
  const db = await openDatabase({ file: path.join(t.testdir(), 'persona.db') })
  t.teardown(() => db.close())
  for (const id of ['p1', 'p2']) await db.prisma.persona.create({ data: { id, name: id, nameKey: id, personalityTraits: {}, topicPreferences: {} } })
  return db
}

interface Seed { id: string, personaId?: string, userId?: string | null, visibility?: Visibility, content?: string, vector?: Float32Array, model?: string }
async function addMemories (db: SqliteDatabase, seeds: Seed[]): Promise<void> {
  await db.prisma.memory.createMany({
    data: seeds.map((s) => ({
      id: s.id, personaId: s.personaId ?? 'p1', userId: s.userId ?? null, visibility: s.visibility ?? 'private',
      content: s.content ?? `memory ${s.id}`, importance: 0.5, baseImportance: 0.5, relatedPersonas: [], metadata: {},
      embedding: s.vector === undefined ? null : new Uint8Array(vectorToBlob(s.vector)), embeddingModel: s.model ?? null,
    })),
  })
}

t.test('sqlite source: reads live embeddings of one embedder, tracks indexing in Prisma formats', async (t) => {
  const db = await database(t)
  const source = createSqliteVectorSource(db)
  const vec = (x: number) => Float32Array.of(x, 1, -2.5)
  await addMemories(db, [
    { id: 'a', vector: vec(1), model: 'e1', userId: 'alice' }, { id: 'b', vector: vec(2), model: 'e1', personaId: 'p2', visibility: 'public' },
    { id: 'c', vector: vec(3), model: 'e2' }, { id: 'd' }, { id: 'e', vector: vec(5), model: 'e1' },
  ])
  await db.prisma.memory.update({ where: { id: 'e' }, data: { prunedAt: new Date() } })

  const batches = await collect(source.batches('e1', 1))
  t.same(batches.map((b) => b.map((m) => m.id)), [['a'], ['b']], 'pruned and other embedders left out, paged')
  t.match(batches[0][0], { id: 'a', personaId: 'p1', userId: 'alice', visibility: 'private' })
  t.same(Array.from(batches[1][0].vector), [2, 1, -2.5])
  t.equal((await source.count('e1')), 2)
  t.same((await source.ids('e1')).sort(), ['a', 'b'])
  t.same((await source.pending('e1', 10)).map((m) => m.id), ['a', 'b'])

  await source.markIndexed(['a'])
  t.same((await source.pending('e1', 10)).map((m) => m.id), ['b'])
  const a = await db.prisma.memory.findUniqueOrThrow({ where: { id: 'a' } })
  t.ok(a.indexedAt instanceof Date && Math.abs(a.indexedAt.getTime() - Date.now()) < 5000, 'Prisma reads indexedAt back as a Date')
  t.match(db.sqlite.prepare('SELECT indexedAt FROM Memory WHERE id = ?').pluck().get('a'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/)
  await source.markIndexed(['b'])
  await source.markUnindexed(['a'])
  t.same((await source.pending('e1', 10)).map((m) => m.id), ['a'])
  await source.markUnindexed()
  t.equal((await source.pending('e1', 10)).length, 2)

  t.same((await source.staleEmbeddings('e1', 10)), [{ id: 'c', content: 'memory c' }, { id: 'd', content: 'memory d' }], 'other embedder or none; pruned ones never')
  await source.markIndexed(['a', 'b'])
  await source.saveEmbeddings([{ id: 'c', vector: Float32Array.of(7, 8, 9) }, { id: 'd', vector: Float32Array.of(0.5, 0, 0) }], 'e1')
  t.same((await source.staleEmbeddings('e1', 10)), [])
  t.same((await source.pending('e1', 10)).map((m) => m.id), ['c', 'd'], 'new vectors are pending for the index')
  const c = await db.prisma.memory.findUniqueOrThrow({ where: { id: 'c' } })
  t.equal(c.embeddingModel, 'e1')
  t.same(Array.from(blobToVector(c.embedding as Uint8Array)), [7, 8, 9], 'Prisma reads the bytes back as little-endian float32')
})

t.test('store (local): loads SQLite at open, indexes writes, re-embeds for a new embedder', async (t) => {
  const db = await database(t)
  const source = createSqliteVectorSource(db)
  const embedder = createHashingEmbedder()
  const texts = ['I love playing the lute in taverns', 'quarterly tax filing deadlines', 'the dragon burned the northern village', 'spicy ramen is my favourite food']
  const vectors = await embedder.embed(texts)
  await addMemories(db, [
    { id: 'lute', content: texts[0], vector: vectors[0], model: embedder.id },
    { id: 'tax', content: texts[1], vector: vectors[1], model: embedder.id },
    { id: 'dragon', content: texts[2], vector: Float32Array.of(1, 2, 3), model: 'ollama-old-3' }, // another embedder
    { id: 'ramen', content: texts[3] }, // never embedded
  ])
  const store = createVectorStore({ kind: 'local', source, embedder, log: silent, recheckMs: 1000, reembedOnOpen: false })
  t.teardown(() => store.close())
  await store.open(embedder)
  await store.loaded() // open returns before the load: start-up does not wait for it
  t.equal(await store.count(), 2)
  t.same((await source.pending(embedder.id, 10)), [], 'loaded rows count as indexed')
  const [query] = await embedder.embed(['she plays lute music at the tavern'])
  const search = async (vector: Float32Array) => (await store.query({ vector, personaIds: ['p1'], userId: 'u1', limit: 3 })).map((h) => h.id)
  t.same((await search(query))[0], 'lute')

  t.equal(await store.reembed(), 2, 'the two stale memories')
  t.equal(await store.count(), 4)
  const [dragon] = await embedder.embed(['a dragon attacked villages in the north'])
  t.same((await search(dragon))[0], 'dragon', 'a re-embedded memory is found by meaning')
  t.equal((await db.prisma.memory.count({ where: { embeddingModel: embedder.id, indexedAt: { not: null } } })), 4)

  // writes: the caller stores the row, then the store indexes it and marks it
  const [cat] = await embedder.embed(['my cat sleeps on the windowsill'])
  await addMemories(db, [{ id: 'cat', vector: cat, model: embedder.id }])
  await store.upsert([{ id: 'cat', personaId: 'p1', userId: null, visibility: 'private', vector: cat }])
  t.same((await search(cat))[0], 'cat')
  t.same((await source.pending(embedder.id, 10)), [])
  await store.remove(['cat'])
  t.not((await search(cat))[0], 'cat')
  await t.rejects(store.upsert([{ id: 'x', personaId: 'p1', userId: null, visibility: 'private', vector: Float32Array.of(1) }]), /1 dimensions/)

  // rebuild reads SQLite again: a memory pruned behind the store's back disappears
  await db.prisma.memory.update({ where: { id: 'lute' }, data: { prunedAt: new Date() } })
  await store.rebuild()
  t.not((await search(query))[0], 'lute')
  t.match(store.status(), { kind: 'local', available: true, configured: 'local', embedder: 'hash-384' })
})

t.test('store (local): re-embedding starts by itself at open', async (t) => {
  const db = await database(t)
  const source = createSqliteVectorSource(db)
  const embedder = createHashingEmbedder()
  await addMemories(db, Array.from({ length: 150 }, (_, i) => ({ id: `m${i}`, content: `memory about topic ${i}` })))
  const store = createVectorStore({ kind: 'local', source, embedder, log: silent, recheckMs: 1000 })
  t.teardown(() => store.close())
  await store.open(embedder)
  t.ok([0, 150].includes(await store.reembed()), 'shares the run open started, or finds nothing left')
  t.equal(await store.count(), 150)
  t.same((await source.staleEmbeddings(embedder.id, 1)), [])
})

t.test('store (local): open does not wait for the load; searches and writes meanwhile wait for it', async (t) => {
  const db = await database(t)
  const sqlite = createSqliteVectorSource(db)
  const embedder = createHashingEmbedder()
  const [lute, cat] = await embedder.embed(['I love playing the lute in taverns', 'my cat sleeps on the windowsill'])
  await addMemories(db, [{ id: 'lute', vector: lute, model: embedder.id }])
  let release = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  // the SQLite source, its first batch held back until released
  const source = { ...sqlite, async * batches (id: string, size: number) { await gate; yield * sqlite.batches(id, size) } }
  const store = createVectorStore({ kind: 'local', source, embedder, log: silent, recheckMs: 1000, reembedOnOpen: false })
  t.teardown(() => store.close())
  await store.open(embedder)
  const search = store.query({ vector: lute, personaIds: ['p1'], userId: 'u', limit: 5 })
  await addMemories(db, [{ id: 'cat', vector: cat, model: embedder.id }])
  const write = store.upsert([{ id: 'cat', personaId: 'p1', userId: null, visibility: 'private', vector: cat }])
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(await Promise.race([search.then(() => 'answered'), Promise.resolve('waiting')]), 'waiting', 'the search waits for the load')
  release()
  t.same((await search).map((h) => h.id)[0], 'lute')
  await write
  await store.loaded()
  t.equal(await store.count(), 2, 'the write during the load is in')
  t.same(await sqlite.pending(embedder.id, 10), [])
})
