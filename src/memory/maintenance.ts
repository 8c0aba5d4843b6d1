import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { PrismaClient } from '../generated/prisma/client.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import { fromSqlTime, toSqlTime } from '../store/sqlite/sql-time.ts'
import { runDecay } from './rules/decay-sql.ts'
import { planPrune, pruneRecommendation, type PruneCandidate } from './rules/pruning.ts'
import type { MemorySettings } from './settings.ts'
import { VISIBLE } from './stats.ts'
import type { VectorIndex } from './types.ts'

export interface MaintenanceDeps {
  sqlite: Database.Database
  prisma: PrismaClient
  index: VectorIndex & { sync (): Promise<number> }
  settings: MemorySettings
  personaIds: () => string[]
  log: { info (obj: object, msg?: string): void, warn (obj: object, msg?: string): void }
  now?: () => number
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits

/** Tier 2 (pruning, soft and restorable) and tier 3 (decay) over the Memory table. */
export function createMemoryMaintenance ({ sqlite, prisma, index, settings, personaIds, log, now = Date.now }: MaintenanceDeps) {
  // pinned memories (memory.update protected, card lore) are never candidates
  const candidates = sqlite.prepare(`SELECT id, importance, accessCount, lastAccessedAt, createdAt FROM Memory
    WHERE personaId = ? AND prunedAt IS NULL AND (CASE WHEN json_valid(metadata) THEN json_type(metadata, '$.pinned') END) IS NOT 'true'`)
  // recommendations count only what the caller may see (statsViewer); pruning itself works on all of them
  const visibleCandidates = sqlite.prepare(`SELECT id, importance, accessCount, lastAccessedAt, createdAt FROM Memory
    WHERE personaId = @personaId AND prunedAt IS NULL AND ${VISIBLE}`)
  const softDelete = sqlite.prepare('UPDATE Memory SET prunedAt = ?, pruneRunId = ? WHERE id IN (SELECT value FROM json_each(?)) AND prunedAt IS NULL')

  const load = (personaId: string, viewer?: string | null): PruneCandidate[] =>
    ((viewer === undefined ? candidates.all(personaId) : visibleCandidates.all({ personaId, userId: viewer })) as Array<{ id: string, importance: number, accessCount: number, lastAccessedAt: string | null, createdAt: string }>)
      .map((r) => ({ ...r, lastAccessedAt: fromSqlTime(r.lastAccessedAt), createdAt: fromSqlTime(r.createdAt) ?? 0 }))

  async function prune (personaId: string, force: boolean, trigger: 'manual' | 'global' | 'auto') {
    const started = performance.now()
    const memories = load(personaId)
    const plan = planPrune(memories, settings.current.pruning, now(), force)
    if (plan.action !== 'prune' || plan.prune.length === 0) {
      // the earlier no-op fields, and the counts of a completed prune too: clients read them either way
      return {
        status: 'no_pruning_needed' as const,
        persona_id: personaId,
        prune_run_id: null,
        current_memory_count: memories.length,
        message: plan.reason,
        memories_before: memories.length,
        memories_after: memories.length,
        memories_pruned: 0,
        processing_time: round((performance.now() - started) / 1000, 4),
        average_importance_pruned: 0,
        average_importance_kept: round(plan.averageImportanceKept),
      }
    }
    const runId = randomUUID()
    const at = now()
    const processingTime = (performance.now() - started) / 1000
    await prisma.pruneRun.create({
      data: {
        id: runId, personaId, trigger, status: 'completed', memoriesBefore: memories.length,
        memoriesAfter: memories.length - plan.prune.length, memoriesPruned: plan.prune.length,
        avgImportancePruned: plan.averageImportancePruned, avgImportanceKept: plan.averageImportanceKept, processingTime, createdAt: new Date(at),
      },
    })
    softDelete.run(toSqlTime(at), runId, JSON.stringify(plan.prune))
    await index.remove(plan.prune).catch((err: unknown) => log.warn({ err, runId }, 'pruned vectors stay in the index until it answers; searches skip them'))
    log.info({ personaId, runId, pruned: plan.prune.length, trigger }, 'memories pruned')
    return {
      status: 'pruning_completed' as const,
      persona_id: personaId,
      prune_run_id: runId,
      memories_before: memories.length,
      memories_after: memories.length - plan.prune.length,
      memories_pruned: plan.prune.length,
      processing_time: round(processingTime, 4),
      average_importance_pruned: round(plan.averageImportancePruned),
      average_importance_kept: round(plan.averageImportanceKept),
    }
  }

  async function restore (pruneRunId: string) {
    const run = await prisma.pruneRun.findUnique({ where: { id: pruneRunId } })
    if (!run) throw domainError(ErrorCode.NotFound, `Prune run not found: ${pruneRunId}`, { prune_run_id: pruneRunId })
    if (run.purgedAt) throw domainError(ErrorCode.Conflict, `Prune run ${pruneRunId} was purged; its memories are gone`, { prune_run_id: pruneRunId })
    // exact: the rows never left SQLite, so content, importance and access history come back as they were
    const restored = sqlite.prepare('UPDATE Memory SET prunedAt = NULL, indexedAt = NULL WHERE pruneRunId = ? AND prunedAt IS NOT NULL').run(pruneRunId).changes
    await prisma.pruneRun.update({ where: { id: pruneRunId }, data: { restoredAt: new Date(now()), status: 'restored' } })
    await index.sync().catch((err: unknown) => log.warn({ err }, 'restored memories wait for the vector index'))
    return { prune_run_id: pruneRunId, restored: true as const, memories_restored: restored, persona_id: run.personaId }
  }

  /** Pruned memories past the grace period are deleted for good. */
  async function purge (): Promise<number> {
    const cutoff = now() - settings.current.pruning.purgeAfterDays * 86_400_000
    const purged = sqlite.prepare('DELETE FROM Memory WHERE prunedAt IS NOT NULL AND prunedAt < ?').run(toSqlTime(cutoff)).changes
    await prisma.pruneRun.updateMany({ where: { purgedAt: null, restoredAt: null, createdAt: { lt: new Date(cutoff) } }, data: { purgedAt: new Date(now()) } })
    return purged
  }

  async function decay (trigger: 'schedule' | 'force', personaId: string | null, rate?: number) {
    const started = performance.now()
    const config = settings.current.decay
    const result = runDecay(sqlite, { ...config, rate: rate ?? config.rate, personaId, now: now() })
    let autoPrunes = 0
    if (config.autoPrune) {
      for (const id of personaId === null ? personaIds() : [personaId]) {
        if (load(id).length <= config.autoPruneThreshold) continue
        if ((await prune(id, false, 'auto')).status === 'pruning_completed') autoPrunes++
      }
    }
    const run = await prisma.decayRun.create({
      data: {
        personaId, trigger, mode: config.mode, rate: rate ?? config.rate,
        personasProcessed: personaId === null ? personaIds().length : 1,
        memoriesProcessed: result.processed, memoriesDecayed: result.decayed, averageDecay: result.averageDecay,
        autoPrunes, processingTime: (performance.now() - started) / 1000,
      },
    })
    return run
  }

  return {
    prune,
    restore,
    purge,
    decay,

    async pruneAll () {
      const started = performance.now()
      let before = 0
      let pruned = 0
      let errors = 0
      const ids = personaIds()
      for (const id of ids) {
        try {
          const result = await prune(id, false, 'global')
          before += result.memories_before
          pruned += result.memories_pruned
        } catch (err) {
          errors++
          log.warn({ err, personaId: id }, 'pruning a persona failed')
        }
      }
      return {
        status: 'global_pruning_completed' as const,
        personas_processed: ids.length,
        total_memories_before: before,
        total_memories_after: before - pruned,
        total_memories_pruned: pruned,
        processing_time: round((performance.now() - started) / 1000, 4),
        errors_encountered: errors,
      }
    },

    /** `viewer`: whose view (statsViewer); null (operators) for every memory */
    recommendations (personaId: string, viewer: string | null = null) {
      return { persona_id: personaId, recommendations: pruneRecommendation(load(personaId, viewer), settings.current.pruning, now()) }
    },
  }
}

export type MemoryMaintenance = ReturnType<typeof createMemoryMaintenance>
