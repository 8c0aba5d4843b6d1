import type { DecayRun, PruneRun } from '../../generated/prisma/client.ts'
import type { DecayRunRecord, MemoryMaintenanceRepository, NewPruneRun, PruneRunRecord } from '../../memory/repository.ts'
import type { PruneCandidate } from '../../memory/rules/pruning.ts'
import type { SqliteDatabase } from './database.ts'
import { UNPINNED, VISIBLE } from './memories.ts'
import { runDecay } from './memories-decay.ts'
import { fromSqlTime, toSqlTime } from './sql-time.ts'

// Pruning (soft: prunedAt + pruneRunId, restorable until purged) and decay over the Memory table, and their
// run records. What moves memories is set-based raw SQL in one transaction with its run record; the run
// histories are read through Prisma (operators' pages, not hot).

interface CandidateRow { id: string, importance: number, accessCount: number, lastAccessedAt: string | null, createdAt: string }

const candidate = (r: CandidateRow): PruneCandidate => ({ ...r, lastAccessedAt: fromSqlTime(r.lastAccessedAt), createdAt: fromSqlTime(r.createdAt) ?? 0 })
const ms = (d: Date | null) => (d === null ? null : d.getTime())

const pruneRun = (r: PruneRun): PruneRunRecord => ({ ...r, createdAt: r.createdAt.getTime(), restoredAt: ms(r.restoredAt), purgedAt: ms(r.purgedAt) })
const decayRun = (r: DecayRun): DecayRunRecord => ({ ...r, createdAt: r.createdAt.getTime() })

export function createSqliteMemoryMaintenanceRepository ({ sqlite: db, prisma }: SqliteDatabase): MemoryMaintenanceRepository {
  const CANDIDATE = 'SELECT id, importance, accessCount, lastAccessedAt, createdAt FROM Memory'
  const candidates = db.prepare(`${CANDIDATE} WHERE personaId = ? AND prunedAt IS NULL AND ${UNPINNED}`)
  const visible = db.prepare(`${CANDIDATE} WHERE personaId = @personaId AND prunedAt IS NULL AND ${VISIBLE}`)
  // the scheduler reads it at start-up, which should not wait for Prisma's query engine
  const DECAY_RUN = 'SELECT id, personaId, trigger, mode, rate, personasProcessed, memoriesProcessed, memoriesDecayed, averageDecay, autoPrunes, processingTime, createdAt FROM DecayRun'
  type RawDecayRun = Omit<DecayRunRecord, 'createdAt'> & { createdAt: string }
  const lastDecay = db.prepare<[], RawDecayRun>(`${DECAY_RUN} ORDER BY createdAt DESC LIMIT 1`)
  const lastDecayOf = db.prepare<[string], RawDecayRun>(`${DECAY_RUN} WHERE trigger = ? ORDER BY createdAt DESC LIMIT 1`)

  const insertRun = db.prepare(`INSERT INTO PruneRun (id, personaId, trigger, status, memoriesBefore, memoriesAfter, memoriesPruned,
    avgImportancePruned, avgImportanceKept, processingTime, createdAt) VALUES (@id, @personaId, @trigger, 'completed', @memoriesBefore,
    @memoriesAfter, @memoriesPruned, @avgImportancePruned, @avgImportanceKept, @processingTime, @createdAt)`)
  const softDelete = db.prepare('UPDATE Memory SET prunedAt = ?, pruneRunId = ? WHERE id IN (SELECT value FROM json_each(?)) AND prunedAt IS NULL')
  const recordPrune = db.transaction((run: NewPruneRun, ids: string[]) => {
    const at = toSqlTime(run.createdAt)
    insertRun.run({ ...run, createdAt: at })
    softDelete.run(at, run.id, JSON.stringify(ids))
  })

  // exact: the rows never left SQLite, so content, importance and access history come back as they were
  const unprune = db.prepare('UPDATE Memory SET prunedAt = NULL, indexedAt = NULL WHERE pruneRunId = ? AND prunedAt IS NOT NULL')
  const markRestored = db.prepare("UPDATE PruneRun SET restoredAt = ?, status = 'restored' WHERE id = ?")
  const restore = db.transaction((id: string, now: number) => {
    const n = unprune.run(id).changes
    markRestored.run(toSqlTime(now), id)
    return n
  })

  const purgeMemories = db.prepare('DELETE FROM Memory WHERE prunedAt IS NOT NULL AND prunedAt < ?')
  const markPurged = db.prepare('UPDATE PruneRun SET purgedAt = ? WHERE purgedAt IS NULL AND restoredAt IS NULL AND createdAt < ?')
  const purge = db.transaction((cutoff: string, now: string) => {
    const n = purgeMemories.run(cutoff).changes
    markPurged.run(now, cutoff)
    return n
  })

  return {
    async pruneCandidates (personaId) { return (candidates.all(personaId) as CandidateRow[]).map(candidate) },
    async visibleMemories (personaId, viewer) { return (visible.all({ personaId, userId: viewer }) as CandidateRow[]).map(candidate) },
    async recordPrune (run, memoryIds) { recordPrune(run, memoryIds) },
    async findPruneRun (id) {
      const run = await prisma.pruneRun.findUnique({ where: { id } })
      return run === null ? undefined : pruneRun(run)
    },
    async restorePruneRun (id, now) { return restore(id, now) },
    async purgePruned (cutoff, now) { return purge(toSqlTime(cutoff), toSqlTime(now)) },
    async pruneRuns ({ personaId, limit, offset }) {
      const where = personaId === undefined ? {} : { personaId }
      const [rows, total] = await Promise.all([
        prisma.pruneRun.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip: offset, take: limit }),
        prisma.pruneRun.count({ where }),
      ])
      return { rows: rows.map(pruneRun), total }
    },
    async pruneRunTotals () {
      const [totals, lastGlobal, byPersona] = await Promise.all([
        prisma.pruneRun.aggregate({ _count: true, _sum: { memoriesPruned: true }, _avg: { processingTime: true } }),
        prisma.pruneRun.findFirst({ where: { trigger: 'global' }, orderBy: { createdAt: 'desc' } }),
        prisma.pruneRun.groupBy({ by: ['personaId'], where: { personaId: { not: null } }, _max: { createdAt: true } }),
      ])
      return {
        runs: totals._count,
        memoriesPruned: totals._sum.memoriesPruned ?? 0,
        averageProcessingTime: totals._avg.processingTime ?? 0,
        lastGlobalAt: ms(lastGlobal?.createdAt ?? null),
        lastByPersona: Object.fromEntries(byPersona.flatMap((g) => (g.personaId !== null && g._max.createdAt !== null ? [[g.personaId, g._max.createdAt.getTime()]] : []))),
      }
    },
    async decay (pass) { return runDecay(db, pass) },
    async recordDecayRun (run, now) { return decayRun(await prisma.decayRun.create({ data: { ...run, createdAt: new Date(now) } })) },
    async lastDecayRun (trigger) {
      const run = trigger === undefined ? lastDecay.get() : lastDecayOf.get(trigger)
      return run === undefined ? undefined : { ...run, createdAt: Date.parse(run.createdAt) }
    },
    async decayRunTotals () {
      const totals = await prisma.decayRun.aggregate({ _count: true, _sum: { memoriesDecayed: true, autoPrunes: true } })
      return { runs: totals._count, memoriesDecayed: totals._sum.memoriesDecayed ?? 0, autoPrunes: totals._sum.autoPrunes ?? 0 }
    },
  }
}
