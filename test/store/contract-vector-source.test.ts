import t from 'tap'
import type { MemoryRepository, NewMemory } from '../../src/memory/repository.ts'
import type { IndexedMemory } from '../../src/memory/types.ts'
import { createPostgresMemoryRepository } from '../../src/store/postgres/memories.ts'
import { createPostgresVectorSource } from '../../src/store/postgres/vector-source.ts'
import { createSqliteMemoryRepository } from '../../src/store/sqlite/memories.ts'
import { createSqliteVectorSource } from '../../src/store/sqlite/vector-source.ts'
import type { VectorSource } from '../../src/store/vector/source.ts'
import { forBothStores } from '../helpers/both-stores.ts'
import { newMemory } from '../helpers/store-fixtures.ts'

// The vector source behaves the same on SQLite and PostgreSQL: batches cover every live memory of the
// embedder once, pending and counts follow markIndexed/markUnindexed, stale embeddings, saved vectors.

interface Repos { memories: MemoryRepository, source: VectorSource }

const memory = (patch: Partial<NewMemory> = {}) => newMemory({ embedding: new Float32Array([0.5, -1]), embeddingModel: 'e1', ...patch })
const collect = async (batches: AsyncIterable<IndexedMemory[]>) => { const out: IndexedMemory[][] = []; for await (const b of batches) out.push(b); return out }
const sorted = (ids: string[]) => [...ids].sort()

t.test('vector source', async (t) => {
  forBothStores<Repos>(t, {
    sqlite: (db) => ({ memories: createSqliteMemoryRepository(db), source: createSqliteVectorSource(db) }),
    postgres: (db) => ({ memories: createPostgresMemoryRepository(db), source: createPostgresVectorSource(db) }),
  }, (t, store) => {
    t.test('batches, pending, counts, ids', async (t) => {
      const { repo: { memories, source }, prisma, addPersona } = await store.open(t)
      await addPersona('aria')
      t.same(await collect(source.batches('e1', 2)), [])
      const ids: string[] = []
      for (let i = 0; i < 5; i++) ids.push(await memories.insert(memory({ embedding: new Float32Array([i, i / 4]), userId: i === 0 ? null : 'alice', visibility: i === 1 ? 'public' : 'private' }), 1_000 + i))
      const other = await memories.insert(memory({ embeddingModel: 'e2' }), 2_000)
      const pruned = await memories.insert(memory(), 3_000)
      await prisma.memory.update({ where: { id: pruned }, data: { prunedAt: new Date() } })

      const batches = await collect(source.batches('e1', 2))
      t.same(batches.map((b) => b.length), [2, 2, 1])
      const all = batches.flat()
      t.same(sorted(all.map((m) => m.id)), sorted(ids), 'every live memory of the embedder, once')
      const first = all.find((m) => m.id === ids[0])
      t.same(first, { id: ids[0], personaId: 'aria', userId: null, visibility: 'private', vector: new Float32Array([0, 0]) })
      t.ok(first?.vector instanceof Float32Array)
      t.same([...all.find((m) => m.id === ids[3])?.vector ?? []], [3, 0.75])
      t.same(all.find((m) => m.id === ids[1])?.visibility, 'public')

      t.equal(await source.count('e1'), 5)
      t.equal(await source.count('e2'), 1)
      t.equal(await source.count('none'), 0)
      t.same(sorted(await source.ids('e1')), sorted(ids))
      t.equal(await source.pendingCount('e1'), 5)
      t.same((await source.pending('e1', 2)).map((m) => m.id), ids.slice(0, 2), 'oldest first')

      await source.markIndexed([ids[0], ids[1], ids[2], other])
      await source.markIndexed([])
      t.equal(await source.pendingCount('e1'), 2)
      t.same((await source.pending('e1', 10)).map((m) => m.id), ids.slice(3))
      t.ok((await prisma.memory.findUniqueOrThrow({ where: { id: ids[0] } })).indexedAt instanceof Date)
      await source.markUnindexed([ids[0]])
      await source.markUnindexed([])
      t.equal(await source.pendingCount('e1'), 3)
      await source.markUnindexed()
      t.equal(await source.pendingCount('e1'), 5)
      t.equal(await source.pendingCount('e2'), 1)
    })

    t.test('stale embeddings and saved vectors', async (t) => {
      const { repo: { memories, source }, prisma, addPersona } = await store.open(t)
      await addPersona('aria')
      const a = await memories.insert(memory({ content: 'a' }), 1_000)
      const b = await memories.insert(memory({ content: 'b', embeddingModel: 'old' }), 2_000)
      const c = await memories.insert(memory({ content: 'c', embeddingModel: 'old' }), 3_000)
      await prisma.memory.update({ where: { id: c }, data: { embedding: null, embeddingModel: null } })
      t.same(await source.staleEmbeddings('e1', 10), [{ id: b, content: 'b' }, { id: c, content: 'c' }])
      t.same(await source.staleEmbeddings('e1', 1), [{ id: b, content: 'b' }])
      await source.markIndexed([a, b, c])
      await source.saveEmbeddings([], 'e1')
      await source.saveEmbeddings([{ id: b, vector: new Float32Array([9]) }, { id: c, vector: new Float32Array([1, 2]) }, { id: b, vector: new Float32Array([7, 8]) }], 'e1')
      t.same(await source.staleEmbeddings('e1', 10), [])
      const pending = await source.pending('e1', 10)
      t.same(pending.map((m) => [m.id, [...m.vector]]), [[b, [7, 8]], [c, [1, 2]]], 'pending again, the last vector given kept')
    })
  })
})
