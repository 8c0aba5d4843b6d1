import type { DecayRunRecord, MemoryMaintenanceRepository } from '../../memory/repository.ts'
import type { PruneCandidate } from '../../memory/rules/pruning.ts'
import { createRunHistory } from '../prisma/run-history.ts'
import type { PostgresDatabase } from './database.ts'
import { runPostgresDecay } from './memories-decay.ts'
import { pgTime, UNPINNED, visibleTo } from './memories.ts'
import { inTransaction } from './transaction.ts'

// Pruning (soft: prunedAt + pruneRunId, restorable until purged) and decay over the Memory table on
// PostgreSQL, with their run records; mirrors src/store/sqlite/memories-maintenance.ts. What moves memories
// is set-based SQL, together with its run record (one statement, or one transaction); run histories through
// Prisma (src/store/prisma/run-history.ts).

interface CandidateRow { id: string, importance: number, accessCount: number, lastAccessedAt: Date | null, createdAt: Date }

const ms = (d: Date | null) => (d === null ? null : d.getTime())
const candidate = (r: CandidateRow): PruneCandidate => ({ ...r, lastAccessedAt: ms(r.lastAccessedAt), createdAt: r.createdAt.getTime() })

const CANDIDATE = 'SELECT id, importance, "accessCount", "lastAccessedAt", "createdAt" FROM "Memory"'
const DECAY_RUN = `SELECT id, "personaId", trigger, mode, rate, "personasProcessed", "memoriesProcessed", "memoriesDecayed", "averageDecay",
  "autoPrunes", "processingTime", "createdAt" FROM "DecayRun" WHERE ($1::text IS NULL OR trigger = $1) ORDER BY "createdAt" DESC LIMIT 1`
const INSERT_RUN = `INSERT INTO "PruneRun" (id, "personaId", trigger, status, "memoriesBefore", "memoriesAfter", "memoriesPruned",
  "avgImportancePruned", "avgImportanceKept", "processingTime", "createdAt") VALUES ($1, $2, $3, 'completed', $4, $5, $6, $7, $8, $9, $10::timestamp)`
// exact: the rows never left the table, so content, importance and access history come back as they were
const RESTORE = `WITH back AS (UPDATE "Memory" SET "prunedAt" = NULL, "indexedAt" = NULL WHERE "pruneRunId" = $1 AND "prunedAt" IS NOT NULL RETURNING 1),
  run AS (UPDATE "PruneRun" SET "restoredAt" = $2::timestamp, status = 'restored' WHERE id = $1)
  SELECT count(*) AS n FROM back`
const PURGE = `WITH gone AS (DELETE FROM "Memory" WHERE "prunedAt" IS NOT NULL AND "prunedAt" < $1::timestamp RETURNING 1),
  runs AS (UPDATE "PruneRun" SET "purgedAt" = $2::timestamp WHERE "purgedAt" IS NULL AND "restoredAt" IS NULL AND "createdAt" < $1::timestamp)
  SELECT count(*) AS n FROM gone`

export function createPostgresMemoryMaintenanceRepository ({ pool, prisma }: PostgresDatabase): MemoryMaintenanceRepository {
  const candidates = async (name: string, text: string, values: unknown[]) => (await pool.query<CandidateRow>({ name, text, values })).rows.map(candidate)
  const count = async (text: string, values: unknown[]) => Number((await pool.query<{ n: string }>(text, values)).rows[0].n)
  return {
    ...createRunHistory(prisma),
    async pruneCandidates (personaId) {
      return await candidates('memory-prune-candidates', `${CANDIDATE} WHERE "personaId" = $1 AND "prunedAt" IS NULL AND ${UNPINNED}`, [personaId])
    },
    async visibleMemories (personaId, viewer) {
      return await candidates('memory-visible', `${CANDIDATE} WHERE "personaId" = $1 AND "prunedAt" IS NULL AND ${visibleTo('$2')}`, [personaId, viewer])
    },
    async recordPrune (run, memoryIds) {
      const at = pgTime(run.createdAt)
      await inTransaction(pool, async (c) => {
        await c.query(INSERT_RUN, [run.id, run.personaId, run.trigger, run.memoriesBefore, run.memoriesAfter, run.memoriesPruned,
          run.avgImportancePruned, run.avgImportanceKept, run.processingTime, at])
        await c.query('UPDATE "Memory" SET "prunedAt" = $1::timestamp, "pruneRunId" = $2 WHERE id = ANY($3::text[]) AND "prunedAt" IS NULL', [at, run.id, memoryIds])
      })
    },
    async restorePruneRun (id, now) { return await count(RESTORE, [id, pgTime(now)]) },
    async purgePruned (cutoff, now) { return await count(PURGE, [pgTime(cutoff), pgTime(now)]) },
    async decay (pass) { return await runPostgresDecay(pool, pass) },
    async lastDecayRun (trigger) {
      const { rows: [run] } = await pool.query<Omit<DecayRunRecord, 'createdAt'> & { createdAt: Date }>({ name: 'memory-last-decay-run', text: DECAY_RUN, values: [trigger ?? null] })
      return run === undefined ? undefined : { ...run, createdAt: run.createdAt.getTime() }
    },
  }
}
