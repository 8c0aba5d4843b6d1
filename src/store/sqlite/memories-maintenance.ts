import type { DecayRunRecord, MemoryMaintenanceRepository, NewPruneRun } from '../../memory/repository.ts'
import type { PruneCandidate } from '../../memory/rules/pruning.ts'
import { createRunHistory } from '../prisma/run-history.ts'
import type { SqliteDatabase } from './database.ts'
import { UNPINNED, VISIBLE } from './memories.ts'
import { runDecay } from './memories-decay.ts'
import { fromSqlTime, toSqlTime } from './sql-time.ts'

// Pruning (soft: prunedAt + pruneRunId, restorable until purged) and decay over the Memory table, and their
// run records. What moves memories is set-based raw SQL in one transaction with its run record; the run
// histories are read through Prisma, as on every database (src/store/prisma/run-history.ts).

interface CandidateRow { id: string, importance: number, accessCount: number, lastAccessedAt: string | null, createdAt: string }

const candidate = (r: CandidateRow): PruneCandidate => ({ ...r, lastAccessedAt: fromSqlTime(r.lastAccessedAt), createdAt: fromSqlTime(r.createdAt) ?? 0 })

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
    ...createRunHistory(prisma),
    async pruneCandidates (personaId) { return (candidates.all(personaId) as CandidateRow[]).map(candidate) },
    async visibleMemories (personaId, viewer) { return (visible.all({ personaId, userId: viewer }) as CandidateRow[]).map(candidate) },
    async recordPrune (run, memoryIds) { recordPrune(run, memoryIds) },
    async restorePruneRun (id, now) { return restore(id, now) },
    async purgePruned (cutoff, now) { return purge(toSqlTime(cutoff), toSqlTime(now)) },
    async decay (pass) { return runDecay(db, pass) },
    async lastDecayRun (trigger) {
      const run = trigger === undefined ? lastDecay.get() : lastDecayOf.get(trigger)
      return run === undefined ? undefined : { ...run, createdAt: Date.parse(run.createdAt) }
    },
  }
}
