import t from 'tap'
import type { MemoryRepository, MemorySettingsRepository, MemoryStatsRepository, NewMemory } from '../../src/memory/repository.ts'
import { createPostgresMemoryRepository } from '../../src/store/postgres/memories.ts'
import { createPostgresMemorySettingsRepository } from '../../src/store/postgres/memories-settings.ts'
import { createPostgresMemoryStatsRepository } from '../../src/store/postgres/memories-stats.ts'
import { createSqliteMemoryRepository } from '../../src/store/sqlite/memories.ts'
import { createSqliteMemorySettingsRepository } from '../../src/store/sqlite/memories-settings.ts'
import { createSqliteMemoryStatsRepository } from '../../src/store/sqlite/memories-stats.ts'
import { forBothStores } from '../helpers/both-stores.ts'

// The memory, memory-stats and memory-settings repositories behave the same on SQLite and PostgreSQL:
// rows, JSON, times, nulls, list order and filters (literal, ASCII-only case folding), access counts,
// figures per viewer, merged settings; on PostgreSQL, recalls and settings from two instances at once all land.

interface Repos { memories: MemoryRepository, stats: MemoryStatsRepository, settings: MemorySettingsRepository }

const at = (minute: number) => Date.UTC(2030, 0, 1, 0, minute, 0, 123)
const memory = (patch: Partial<NewMemory> = {}): NewMemory => ({
  personaId: 'aria', userId: 'alice', content: 'likes tea', memoryType: 'user_input', importance: 0.5, emotionalValence: 0.25,
  visibility: 'private', relatedPersonas: [], metadata: { source: 'chat', nested: { n: 1.5 } }, embedding: new Float32Array([1, 0.5, -2]),
  embeddingModel: 'test-embed', ...patch,
})

t.test('memories', async (t) => {
  forBothStores<Repos>(t, {
    sqlite: (db) => ({ memories: createSqliteMemoryRepository(db), stats: createSqliteMemoryStatsRepository(db), settings: createSqliteMemorySettingsRepository(db) }),
    postgres: (db) => ({ memories: createPostgresMemoryRepository(db), stats: createPostgresMemoryStatsRepository(db), settings: createPostgresMemorySettingsRepository(db) }),
  }, (t, store) => {
    t.test('inserted, read back as stored, updated, removed', async (t) => {
      const { repo: { memories }, prisma, addPersona } = await store.open(t)
      await addPersona('aria')
      const id = await memories.insert(memory({ relatedPersonas: ['kira'], userId: null }), at(1))
      const row = await memories.get(id)
      t.same(row, {
        id, personaId: 'aria', userId: null, content: 'likes tea', memoryType: 'user_input', importance: 0.5, baseImportance: 0.5,
        emotionalValence: 0.25, visibility: 'private', relatedPersonas: ['kira'], metadata: { source: 'chat', nested: { n: 1.5 } },
        accessCount: 0, lastAccessedAt: null, createdAt: at(1),
      })
      t.strictSame(Object.keys(row ?? {}).sort(), ['accessCount', 'baseImportance', 'content', 'createdAt', 'emotionalValence', 'id', 'importance',
        'lastAccessedAt', 'memoryType', 'metadata', 'personaId', 'relatedPersonas', 'userId', 'visibility'], 'no other columns')
      const stored = await prisma.memory.findUniqueOrThrow({ where: { id } })
      t.same([...new Float32Array(new Uint8Array(stored.embedding ?? []).buffer)], [1, 0.5, -2], 'embedding as float32 bytes')
      t.equal(stored.indexedAt, null)
      // as the vector index marks it (src/store/*/vector-source.ts), so the update below must make it pending again
      await prisma.memory.update({ where: { id }, data: { indexedAt: new Date(at(2)) } })

      await memories.update(id, { content: 'loves tea', importance: 0.25, baseImportance: 0.75, memoryType: 'fact', visibility: 'shared', metadata: { pinned: true } })
      t.same(await memories.get(id), { ...row, content: 'loves tea', importance: 0.25, baseImportance: 0.75, memoryType: 'fact', visibility: 'shared', metadata: { pinned: true } })
      const kept = await prisma.memory.findUniqueOrThrow({ where: { id } })
      t.same([kept.embeddingModel, kept.indexedAt], ['test-embed', null], 'embedding kept without a new one; pending again')
      await memories.update(id, { content: 'x', importance: 0.25, baseImportance: 0.75, memoryType: 'fact', visibility: 'shared', metadata: {}, embedding: { vector: new Float32Array([3]), model: 'other' } })
      const changed = await prisma.memory.findUniqueOrThrow({ where: { id } })
      t.same([changed.embeddingModel, [...new Float32Array(new Uint8Array(changed.embedding ?? []).buffer)]], ['other', [3]])

      t.same(await memories.getMany([]), [])
      t.same((await memories.getMany([id, 'nope', id])).map((r) => r.id).slice(0, 1), [id], 'unknown ids are left out')
      await prisma.memory.update({ where: { id }, data: { prunedAt: new Date(at(3)) } })
      t.equal(await memories.get(id), undefined, 'pruned: not live')
      t.equal(await memories.remove(id), true)
      t.equal(await memories.remove(id), false)
    })

    t.test('recent and list: visibility, order, filters, totals', async (t) => {
      const { repo: { memories }, addPersona } = await store.open(t)
      for (const p of ['aria', 'kira']) await addPersona(p)
      const a = await memories.insert(memory({ content: 'Tea at 50% strength' }), at(1))
      const b = await memories.insert(memory({ userId: 'bob', content: 'bob secret' }), at(2))
      const c = await memories.insert(memory({ userId: 'bob', visibility: 'public', content: 'TEA_time', memoryType: 'fact' }), at(3))
      const d = await memories.insert(memory({ userId: null, content: 'lore: tea\\leaf' }), at(4))
      const e = await memories.insert(memory({ personaId: 'kira', content: 'Éclair tea' }), at(5))
      const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id)
      t.same(ids(await memories.recent('aria', 'alice', 10)), [d, c, a], 'own, ownerless and public, newest first')
      t.same(ids(await memories.recent('aria', 'alice', 2)), [d, c])
      t.same(ids(await memories.recent('aria', 'alice', 10, 'fact')), [c])

      const list = async (f: Partial<Parameters<MemoryRepository['list']>[0]> = {}) => {
        const { rows, total } = await memories.list({ limit: 10, offset: 0, ...f })
        return [ids(rows), total]
      }
      t.same(await list(), [[e, d, c, b, a], 5])
      t.same(await list({ limit: 2, offset: 1 }), [[d, c], 5])
      t.same(await list({ personaId: 'aria', userId: 'bob' }), [[c, b], 2])
      t.same(await list({ visibility: 'public' }), [[c], 1])
      t.same(await list({ memoryType: 'user_input', personaId: 'kira' }), [[e], 1])
      t.same(await list({ contains: 'tea' }), [[e, d, c, a], 4], 'ASCII letters in any case')
      t.same(await list({ contains: '50%' }), [[a], 1], '% matched as itself')
      t.same(await list({ contains: '_' }), [[c], 1], '_ matched as itself')
      t.same(await list({ contains: '\\' }), [[d], 1], 'backslash matched as itself')
      t.same(await list({ contains: 'éclair' }), [[], 0], 'non-ASCII letters are not folded')
      t.same(await list({ contains: 'Éclair' }), [[e], 1])

      // equal times: ids in byte order
      const x = await memories.insert(memory({ content: 'same' }), at(9))
      const y = await memories.insert(memory({ content: 'same' }), at(9))
      const [first, second] = [x, y].sort((p, q) => (Buffer.compare(Buffer.from(p), Buffer.from(q))))
      t.same(await list({ contains: 'same' }), [[first, second], 2])
    })

    t.test('recalls add to the access counts; the last time is kept', async (t) => {
      const { repo: { memories }, addPersona, another } = await store.open(t)
      await addPersona('aria')
      const a = await memories.insert(memory(), at(1))
      const b = await memories.insert(memory(), at(1))
      await memories.recordAccesses([])
      await memories.recordAccesses([{ id: a, count: 2, at: at(5) }, { id: b, count: 1, at: at(6) }, { id: a, count: 3, at: at(7) }, { id: 'gone', count: 1, at: at(7) }])
      t.same([(await memories.get(a))?.accessCount, (await memories.get(a))?.lastAccessedAt], [5, at(7)])
      t.same([(await memories.get(b))?.accessCount, (await memories.get(b))?.lastAccessedAt], [1, at(6)])
      const other = (await another()).memories
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? memories : other).recordAccesses([{ id: a, count: 1, at: at(8) }])))
      t.equal((await memories.get(a))?.accessCount, 15, 'two instances at once: no recall lost')
    })

    t.test('figures per persona and viewer; shared figures', async (t) => {
      const { repo: { memories, stats }, prisma, addPersona } = await store.open(t)
      for (const p of ['aria', 'kira', 'zed']) await addPersona(p)
      t.same(await stats.persona('aria', null, at(0)), { total: 0, averageImportance: 0, highImportance: 0, createdSince: 0, byType: {} })
      await memories.insert(memory({ importance: 0.75 }), at(1))
      await memories.insert(memory({ importance: 0.25, userId: 'bob', memoryType: 'fact', visibility: 'shared', relatedPersonas: ['kira'] }), at(5))
      await memories.insert(memory({ importance: 0.5, userId: 'bob', visibility: 'public' }), at(6))
      await memories.insert(memory({ personaId: 'kira', userId: null, visibility: 'shared' }), at(6))
      const pruned = await memories.insert(memory({ personaId: 'zed' }), at(6))
      await prisma.memory.update({ where: { id: pruned }, data: { prunedAt: new Date(at(7)) } })
      t.same(await stats.persona('aria', null, at(5)), { total: 3, averageImportance: 0.5, highImportance: 1, createdSince: 2, byType: { user_input: 2, fact: 1 } })
      t.same(await stats.persona('aria', 'alice', at(5)), { total: 2, averageImportance: 0.625, highImportance: 1, createdSince: 1, byType: { user_input: 2 } })
      t.same(await stats.persona('zed', null, at(0)), { total: 0, averageImportance: 0, highImportance: 0, createdSince: 0, byType: {} }, 'pruned ones do not count')
      t.strictSame(await stats.shared(null), [
        { personaId: 'aria', shared: 1, public: 1, crossReferences: 1 },
        { personaId: 'kira', shared: 1, public: 0, crossReferences: 0 },
      ])
      t.strictSame(await stats.shared('alice'), [
        { personaId: 'aria', shared: 0, public: 1, crossReferences: 0 },
        { personaId: 'kira', shared: 1, public: 0, crossReferences: 0 },
      ])
      await memories.insert(memory({ importance: 1 }), at(8))
      t.equal((await stats.persona('aria', null, at(5))).total, 4, 'a change is seen at once')
    })

    t.test('settings: merged per section, kept', async (t) => {
      const { repo: { settings }, another } = await store.open(t)
      t.same(await settings.load(), {})
      await settings.save('decay', { rate: 0.5, mode: 'linear' })
      await settings.save('decay', { rate: 0.25, enabled: true })
      await settings.save('pruning', { max: 10 })
      t.same(await settings.load(), { decay: { rate: 0.25, mode: 'linear', enabled: true }, pruning: { max: 10 } })
      t.same(await (await another()).settings.load(), await settings.load(), 'another connection reads the same')
    })
  })
})
