import type { MemoryMaintenance } from './maintenance.ts'
import type { MemoryMaintenanceRepository } from './repository.ts'
import type { MemorySettings } from './settings.ts'

// The memory jobs the scheduler runs: decay when due, the purge of pruned memories past their grace period.

export interface MemoryJobsDeps {
  maintenance: MemoryMaintenance
  repository: Pick<MemoryMaintenanceRepository, 'lastDecayRun'>
  settings: MemorySettings
  log: { info (obj: object, msg?: string): void }
  /** other instances share the database (and run decay too): the last run is read again at every tick */
  shared?: boolean
  now?: () => number
}

export async function createMemoryJobs ({ maintenance, repository, settings, log, shared = false, now = Date.now }: MemoryJobsDeps) {
  // a restart does not make decay due: the interval counts from the last scheduled run (or from now)
  let lastDecay = (await repository.lastDecayRun('schedule'))?.createdAt ?? now()

  return {
    /** checked every minute: runs when memory.decay.intervalHours (changeable at run time) has passed */
    async decay (): Promise<void> {
      const { enabled, intervalHours } = settings.current.decay
      if (!enabled) return
      // another instance may have run it since (each tick is claimed by one instance, not always this one);
      // both are times a decay began or ended, so the later one counts
      if (shared) lastDecay = Math.max(lastDecay, (await repository.lastDecayRun('schedule'))?.createdAt ?? 0)
      if (now() - lastDecay < intervalHours * 3_600_000) return
      lastDecay = now()
      const run = await maintenance.decay('schedule', null)
      log.info({ decayed: run.memoriesDecayed, processed: run.memoriesProcessed, autoPrunes: run.autoPrunes }, 'memory decay cycle')
    },

    async purge (): Promise<void> {
      const purged = await maintenance.purge()
      if (purged > 0) log.info({ purged }, 'pruned memories purged')
    },
  }
}
