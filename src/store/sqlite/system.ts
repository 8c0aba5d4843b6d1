import type { StoredCounts, StoreHealth } from '../../system/repository.ts'
import type { SqliteDatabase } from './database.ts'

/** The health probe: a trivial query on the raw handle. */
export function createSqliteStoreHealth ({ sqlite }: SqliteDatabase): StoreHealth {
  const probe = sqlite.prepare('SELECT 1')
  return { async ping () { probe.get() } }
}

/** The counts /metrics reads at scrape time (not hot: once per scrape). */
export function createSqliteStoredCounts ({ sqlite }: SqliteDatabase): StoredCounts {
  const perPersona = sqlite.prepare<[], { persona: string, memories: number }>(`SELECT p.name AS persona, COUNT(m.id) AS memories
    FROM Persona p LEFT JOIN Memory m ON m.personaId = p.id AND m.prunedAt IS NULL GROUP BY p.id`)
  const pruned = sqlite.prepare<[], number>('SELECT COUNT(*) FROM Memory WHERE prunedAt IS NOT NULL').pluck()
  const pruneRuns = sqlite.prepare<[], number>('SELECT COUNT(*) FROM PruneRun').pluck()
  const decayRuns = sqlite.prepare<[], number>('SELECT COUNT(*) FROM DecayRun').pluck()
  return {
    async memoriesPerPersona () { return perPersona.all() },
    async prunedMemories () { return pruned.get()! },
    async pruneRuns () { return pruneRuns.get()! },
    async decayRuns () { return decayRuns.get()! },
  }
}
