import t from 'tap'
import type { MemoryMaintenanceRepository, MemoryRepository, NewPruneRun } from '../../src/memory/repository.ts'
import { DECAY_MODES, decayedImportance, type DecayParams } from '../../src/memory/rules/decay.ts'
import { createPostgresMemoryRepository } from '../../src/store/postgres/memories.ts'
import { createPostgresMemoryMaintenanceRepository } from '../../src/store/postgres/memories-maintenance.ts'
import { createSqliteMemoryRepository } from '../../src/store/sqlite/memories.ts'
import { createSqliteMemoryMaintenanceRepository } from '../../src/store/sqlite/memories-maintenance.ts'
import { forBothStores } from '../helpers/both-stores.ts'
import { newMemory } from '../helpers/store-fixtures.ts'

// Pruning, restoring, purging and decay behave the same on SQLite and PostgreSQL; each decay mode gives
// what decayedImportance computes in JS, pinned and protected memories untouched, in one pass.

interface Repos { memories: MemoryRepository, maintenance: MemoryMaintenanceRepository }

const DAY = 86_400_000
const T0 = Date.UTC(2030, 0, 1, 0, 0, 0, 123)
const memory = newMemory
const run = (id: string, patch: Partial<NewPruneRun> = {}): NewPruneRun => ({
  id, personaId: 'aria', trigger: 'manual', memoriesBefore: 3, memoriesAfter: 1, memoriesPruned: 2, avgImportancePruned: 0.25,
  avgImportanceKept: 0.75, processingTime: 0.5, createdAt: T0 + DAY, ...patch,
})
const sortedIds = (rows: Array<{ id: string }>) => rows.map((r) => r.id).sort()

t.test('memory maintenance', async (t) => {
  forBothStores<Repos>(t, {
    sqlite: (db) => ({ memories: createSqliteMemoryRepository(db), maintenance: createSqliteMemoryMaintenanceRepository(db) }),
    postgres: (db) => ({ memories: createPostgresMemoryRepository(db), maintenance: createPostgresMemoryMaintenanceRepository(db) }),
  }, (t, store) => {
    t.test('candidates, prune, restore, purge, run history', async (t) => {
      const { repo: { memories, maintenance: m }, addPersona } = await store.open(t)
      await addPersona('aria')
      const a = await memories.insert(memory(), T0)
      const b = await memories.insert(memory({ userId: 'bob' }), T0)
      const pinned = await memories.insert(memory({ metadata: { pinned: true } }), T0)
      const notPinned = await memories.insert(memory({ metadata: { pinned: 'yes' } }), T0)
      t.same(sortedIds(await m.pruneCandidates('aria')), [a, b, notPinned].sort(), 'pinned (the boolean) never')
      t.same(sortedIds(await m.visibleMemories('aria', 'alice')), [a, pinned, notPinned].sort())
      t.same(sortedIds(await m.visibleMemories('aria', null)), [a, b, pinned, notPinned].sort())
      t.same((await m.pruneCandidates('aria')).find((c) => c.id === a), { id: a, importance: 0.5, accessCount: 0, lastAccessedAt: null, createdAt: T0 })

      await m.recordPrune(run('r1'), [a, b])
      t.same(sortedIds(await m.pruneCandidates('aria')), [notPinned])
      t.equal(await memories.get(a), undefined)
      const found = await m.findPruneRun('r1')
      t.same(found, { ...run('r1'), status: 'completed', restoredAt: null, purgedAt: null })
      t.equal(await m.findPruneRun('nope'), undefined)
      t.equal(await m.restorePruneRun('r1', T0 + 2 * DAY), 2)
      t.equal(await m.restorePruneRun('r1', T0 + 2 * DAY), 0, 'nothing left to restore')
      t.same((await m.findPruneRun('r1'))?.restoredAt, T0 + 2 * DAY)
      t.equal((await m.findPruneRun('r1'))?.status, 'restored')
      t.equal((await memories.get(a))?.importance, 0.5, 'back as it was')

      await m.recordPrune(run('r2', { trigger: 'global', personaId: null, createdAt: T0 + 3 * DAY }), [a])
      await m.recordPrune(run('r3', { createdAt: T0 + 5 * DAY }), [b])
      t.equal(await m.purgePruned(T0 + 4 * DAY, T0 + 6 * DAY), 1, 'only what was pruned before the cutoff')
      t.same([(await m.findPruneRun('r1'))?.purgedAt, (await m.findPruneRun('r2'))?.purgedAt, (await m.findPruneRun('r3'))?.purgedAt], [null, T0 + 6 * DAY, null])
      t.same(sortedIds(await m.visibleMemories('aria', null)), [pinned, notPinned].sort())

      const page = await m.pruneRuns({ limit: 2, offset: 0 })
      t.same([page.rows.map((r) => r.id), page.total], [['r3', 'r2'], 3])
      t.same((await m.pruneRuns({ personaId: 'aria', limit: 10, offset: 1 })).rows.map((r) => r.id), ['r1'])
      t.same(await m.pruneRunTotals(), { runs: 3, memoriesPruned: 6, averageProcessingTime: 0.5, lastGlobalAt: T0 + 3 * DAY, lastByPersona: { aria: T0 + 5 * DAY } })
    })

    t.test('decay runs recorded, the last found by trigger, totals', async (t) => {
      const { repo: { maintenance: m } } = await store.open(t)
      t.equal(await m.lastDecayRun(), undefined)
      t.same(await m.decayRunTotals(), { runs: 0, memoriesDecayed: 0, autoPrunes: 0 })
      const values = { personaId: null, trigger: 'schedule', mode: 'linear', rate: 0.5, personasProcessed: 2, memoriesProcessed: 10, memoriesDecayed: 4, averageDecay: 0.125, autoPrunes: 1, processingTime: 0.25 }
      const first = await m.recordDecayRun(values, T0)
      t.same(first, { ...values, id: first.id, createdAt: T0 })
      const second = await m.recordDecayRun({ ...values, trigger: 'manual', personaId: 'aria' }, T0 + DAY)
      t.same(await m.lastDecayRun(), second)
      t.same(await m.lastDecayRun('schedule'), first)
      t.equal(await m.lastDecayRun('none'), undefined)
      t.same(await m.decayRunTotals(), { runs: 2, memoriesDecayed: 8, autoPrunes: 2 })
    })

    for (const mode of DECAY_MODES) {
      t.test(`decay (${mode}): what the JS rule computes, in one pass`, async (t) => {
        const { repo: { memories, maintenance: m }, prisma, addPersona } = await store.open(t)
        for (const p of ['aria', 'kira']) await addPersona(p)
        const params: DecayParams = { mode, rate: 0.05, floor: 0.1, stepDays: 7, maxDecayDays: 365, protectImportance: 0.9 }
        const now = T0 + 400 * DAY
        const specs = [
          { importance: 0.8, at: T0 }, { importance: 0.5, at: T0 + 390 * DAY }, { importance: 0.05, at: T0 },
          { importance: 0.95, at: T0 }, { importance: 0.6, at: T0, metadata: { pinned: true } }, { importance: 0.7, at: now + DAY },
          { importance: 0.3, at: T0 + 100 * DAY, accesses: 4 },
        ]
        const ids = []
        for (const s of specs) ids.push(await memories.insert(memory({ importance: s.importance, metadata: s.metadata ?? {} }), s.at))
        await memories.recordAccesses([{ id: ids[6], count: 4, at: T0 + 300 * DAY }])
        const other = await memories.insert(memory({ personaId: 'kira' }), T0)

        const before = await prisma.memory.findMany({ where: { personaId: 'aria' } })
        const expected = new Map(before.map((r) => [r.id, decayedImportance(r, params, now)]))
        const changed = before.filter((r) => expected.get(r.id) !== r.importance)
        const result = await m.decay({ ...params, personaId: 'aria', now })
        t.equal(result.processed, specs.length)
        t.equal(result.decayed, changed.length)
        const drop = changed.reduce((s, r) => s + r.importance - (expected.get(r.id) ?? 0), 0) / changed.length
        t.ok(Math.abs(result.averageDecay - drop) < 1e-12, `average drop ${result.averageDecay} ~ ${drop}`)
        for (const r of await prisma.memory.findMany({ where: { personaId: 'aria' } })) {
          t.ok(Math.abs(r.importance - (expected.get(r.id) ?? NaN)) < 1e-12, `${r.id}: ${r.importance} ~ ${expected.get(r.id)}`)
        }
        t.equal((await prisma.memory.findUniqueOrThrow({ where: { id: other } })).importance, 0.5, 'other personas untouched')
        const again = await m.decay({ ...params, personaId: 'aria', now })
        t.same(again, { processed: specs.length, decayed: 0, averageDecay: 0 }, 'nothing changes twice')
        t.equal((await m.decay({ ...params, personaId: null, now })).processed, specs.length + 1, 'every persona')
      })
    }

    t.test('decay far beyond the curve: no underflow error, the floor holds', async (t) => {
      const { repo: { memories, maintenance: m }, prisma, addPersona } = await store.open(t)
      await addPersona('aria')
      await memories.insert(memory(), T0)
      for (const mode of ['exponential', 'step', 'access_based']) {
        const result = await m.decay({ mode, rate: 50, floor: 0, stepDays: 0.001, maxDecayDays: 365, protectImportance: 0.9, personaId: null, now: T0 + 365 * DAY })
        t.ok(result.processed === 1, mode)
      }
      t.equal((await prisma.memory.findFirstOrThrow()).importance, 0)
    })
  })
})
