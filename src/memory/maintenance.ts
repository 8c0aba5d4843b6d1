import { randomUUID } from 'node:crypto'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { MemoryMaintenanceRepository } from './repository.ts'
import { planPrune, pruneRecommendation } from './rules/pruning.ts'
import type { MemorySettings } from './settings.ts'
import type { VectorIndex } from './types.ts'

export interface MaintenanceDeps {
  repository: MemoryMaintenanceRepository
  index: VectorIndex & { sync (): Promise<number> }
  settings: MemorySettings
  personaIds: () => string[]
  /** writes the recalls searches noted (MemoryService.flushAccesses): protections and decay read them */
  flushAccesses: () => Promise<void>
  log: { info (obj: object, msg?: string): void, warn (obj: object, msg?: string): void }
  now?: () => number
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits

/** Tier 2 (pruning, soft and restorable) and tier 3 (decay) over every persona's memories. */
export function createMemoryMaintenance ({ repository, index, settings, personaIds, flushAccesses, log, now = Date.now }: MaintenanceDeps) {
  const candidates = async (personaId: string) => { await flushAccesses(); return repository.pruneCandidates(personaId) }

  async function prune (personaId: string, force: boolean, trigger: 'manual' | 'global' | 'auto') {
    const started = performance.now()
    const memories = await candidates(personaId)
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
    await repository.recordPrune({
      id: runId, personaId, trigger, memoriesBefore: memories.length,
      memoriesAfter: memories.length - plan.prune.length, memoriesPruned: plan.prune.length,
      avgImportancePruned: plan.averageImportancePruned, avgImportanceKept: plan.averageImportanceKept, processingTime, createdAt: at,
    }, plan.prune)
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
    const run = await repository.findPruneRun(pruneRunId)
    if (!run) throw domainError(ErrorCode.NotFound, `Prune run not found: ${pruneRunId}`, { prune_run_id: pruneRunId })
    if (run.purgedAt !== null) throw domainError(ErrorCode.Conflict, `Prune run ${pruneRunId} was purged; its memories are gone`, { prune_run_id: pruneRunId })
    // exact: the rows never left the database, so content, importance and access history come back as they were
    const restored = await repository.restorePruneRun(pruneRunId, now())
    await index.sync().catch((err: unknown) => log.warn({ err }, 'restored memories wait for the vector index'))
    return { prune_run_id: pruneRunId, restored: true as const, memories_restored: restored, persona_id: run.personaId }
  }

  /** Pruned memories past the grace period are deleted for good. */
  async function purge (): Promise<number> {
    const cutoff = now() - settings.current.pruning.purgeAfterDays * 86_400_000
    return repository.purgePruned(cutoff, now())
  }

  async function decay (trigger: 'schedule' | 'force', personaId: string | null, rate?: number) {
    const started = performance.now()
    const config = settings.current.decay
    // access_based decay reads the access counts
    await flushAccesses()
    const result = await repository.decay({ ...config, rate: rate ?? config.rate, personaId, now: now() })
    let autoPrunes = 0
    if (config.autoPrune) {
      for (const id of personaId === null ? personaIds() : [personaId]) {
        if ((await repository.pruneCandidates(id)).length <= config.autoPruneThreshold) continue
        if ((await prune(id, false, 'auto')).status === 'pruning_completed') autoPrunes++
      }
    }
    return repository.recordDecayRun({
      personaId, trigger, mode: config.mode, rate: rate ?? config.rate,
      personasProcessed: personaId === null ? personaIds().length : 1,
      memoriesProcessed: result.processed, memoriesDecayed: result.decayed, averageDecay: result.averageDecay,
      autoPrunes, processingTime: (performance.now() - started) / 1000,
    }, now())
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
    async recommendations (personaId: string, viewer: string | null = null) {
      await flushAccesses()
      const memories = await repository.visibleMemories(personaId, viewer)
      return { persona_id: personaId, recommendations: pruneRecommendation(memories, settings.current.pruning, now()) }
    },
  }
}

export type MemoryMaintenance = ReturnType<typeof createMemoryMaintenance>
