import type { DecayRunRecord, MemoryMaintenanceRepository, PruneRunRecord } from './repository.ts'
import type { MemorySettings } from './settings.ts'

// What pruning and decay have done so far, as the JSON-RPC methods and the admin API report it.

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

const pruneRunView = (r: PruneRunRecord) => ({
  prune_run_id: r.id, persona_id: r.personaId, trigger: r.trigger, status: r.status, memories_before: r.memoriesBefore, memories_after: r.memoriesAfter,
  memories_pruned: r.memoriesPruned, created_at: new Date(r.createdAt).toISOString(), restored_at: iso(r.restoredAt), purged_at: iso(r.purgedAt),
})

const decayRunView = (r: DecayRunRecord) => ({
  created_at: new Date(r.createdAt).toISOString(), trigger: r.trigger, persona_id: r.personaId, mode: r.mode, rate: r.rate,
  personas_processed: r.personasProcessed, memories_processed: r.memoriesProcessed, memories_decayed: r.memoriesDecayed,
  average_decay: r.averageDecay, auto_prunes: r.autoPrunes, processing_time: r.processingTime,
})

export function createMaintenanceHistory ({ repository, settings }: { repository: MemoryMaintenanceRepository, settings: MemorySettings }) {
  const decaySchedule = () => {
    const d = settings.current.decay
    return { interval_hours: d.intervalHours, mode: d.mode, auto_pruning: d.autoPrune }
  }
  const decayState = () => ({ enabled: settings.current.decay.enabled, ...decaySchedule() })

  return {
    decaySchedule,
    decayState,

    /** memory.prune_stats */
    async pruneStatistics () {
      const totals = await repository.pruneRunTotals()
      if (totals.runs === 0) return { message: 'No pruning operations yet' }
      const { rows } = await repository.pruneRuns({ limit: 20, offset: 0 })
      return {
        total_pruning_operations: totals.runs,
        total_memories_pruned: totals.memoriesPruned,
        total_personas_processed: Object.keys(totals.lastByPersona).length,
        average_processing_time: totals.averageProcessingTime,
        last_global_prune: iso(totals.lastGlobalAt),
        personas_last_pruned: Object.fromEntries(Object.entries(totals.lastByPersona).map(([id, at]) => [id, new Date(at).toISOString()])),
        recent_runs: rows.map(pruneRunView),
      }
    },

    /** one page of prune runs, newest first (admin) */
    async pruneRuns (page: { personaId?: string, limit: number, offset: number }) {
      const { rows, total } = await repository.pruneRuns(page)
      return { items: rows.map(pruneRunView), total, limit: page.limit, offset: page.offset }
    },

    /** memory.decay_stats */
    async decayStatistics () {
      const d = settings.current.decay
      const config = { mode: d.mode, rate: d.rate, interval_hours: d.intervalHours, floor: d.floor, max_decay_days: d.maxDecayDays, auto_pruning: d.autoPrune, auto_prune_threshold: d.autoPruneThreshold }
      const [totals, last] = await Promise.all([repository.decayRunTotals(), repository.lastDecayRun()])
      if (!last) return { message: 'No decay cycles yet', background_running: d.enabled, config }
      return {
        background_running: d.enabled,
        last_run: new Date(last.createdAt).toISOString(),
        total_decay_cycles: totals.runs,
        total_memories_decayed: totals.memoriesDecayed,
        total_auto_prunes_triggered: totals.autoPrunes,
        recent_cycle: { personas_processed: last.personasProcessed, memories_decayed: last.memoriesDecayed, average_decay: last.averageDecay, processing_time: last.processingTime },
        config,
      }
    },

    /** the admin API's decay overview */
    async decayOverview () {
      const [totals, last] = await Promise.all([repository.decayRunTotals(), repository.lastDecayRun()])
      return {
        status: decayState(),
        total_cycles: totals.runs,
        total_memories_decayed: totals.memoriesDecayed,
        total_auto_prunes: totals.autoPrunes,
        last_run: last ? decayRunView(last) : null,
      }
    },
  }
}

export type MaintenanceHistory = ReturnType<typeof createMaintenanceHistory>
