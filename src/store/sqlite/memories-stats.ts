import type { MemoryStatsRepository, PersonaMemoryFigures, SharedMemoryFigures } from '../../memory/repository.ts'
import { createChangeStamp } from './change-stamp.ts'
import type { SqliteDatabase } from './database.ts'
import { VISIBLE } from './memories.ts'
import { toSqlTime } from './sql-time.ts'

// Aggregates over the Memory table. A persona's figures cost a scan of its memories (1.5 ms at 1,000), and
// memory.stats and persona.status ask for them on every call: they are cached until the database changes,
// whoever changes it (see change-stamp.ts), so a cached answer is never stale.

const MAX_CACHED = 4096

export function createSqliteMemoryStatsRepository ({ sqlite: db }: SqliteDatabase): MemoryStatsRepository {
  const summary = db.prepare(`SELECT COUNT(*) AS total, AVG(importance) AS avg,
      SUM(importance >= 0.7) AS high, SUM(createdAt >= @since) AS since
    FROM Memory WHERE personaId = @personaId AND prunedAt IS NULL AND ${VISIBLE}`)
  const types = db.prepare(`SELECT memoryType AS type, COUNT(*) AS n FROM Memory
    WHERE personaId = @personaId AND prunedAt IS NULL AND ${VISIBLE} GROUP BY memoryType`)
  const shared = db.prepare(`SELECT personaId, SUM(visibility = 'shared') AS shared, SUM(visibility = 'public') AS public,
      SUM(relatedPersonas <> '[]') AS crossReferences
    FROM Memory WHERE prunedAt IS NULL AND ${VISIBLE} GROUP BY personaId`)

  const stamp = createChangeStamp(db)
  let cachedAt = ''
  const cache = new Map<string, PersonaMemoryFigures>()

  function figures (personaId: string, userId: string | null, since: number): PersonaMemoryFigures {
    const row = summary.get({ personaId, userId, since: toSqlTime(since) }) as { total: number, avg: number | null, high: number | null, since: number | null }
    const byType = row.total === 0 ? {} : Object.fromEntries((types.all({ personaId, userId }) as Array<{ type: string, n: number }>).map((r) => [r.type, r.n]))
    return { total: row.total, averageImportance: row.avg ?? 0, highImportance: row.high ?? 0, createdSince: row.since ?? 0, byType }
  }

  return {
    async persona (personaId, viewer, since) {
      const now = stamp()
      if (now !== cachedAt || cache.size >= MAX_CACHED) {
        cache.clear()
        cachedAt = now
      }
      const key = `${since} ${viewer === null ? '*' : `=${viewer}`} ${personaId}`
      let hit = cache.get(key)
      if (hit === undefined) cache.set(key, hit = figures(personaId, viewer, since))
      return hit
    },
    async shared (viewer) {
      return shared.all({ userId: viewer }) as SharedMemoryFigures[]
    },
  }
}
