import type Database from 'better-sqlite3'
import type { UserIdentity } from '../rpc/caller.ts'
import { toSqlTime } from '../store/sqlite/sql-time.ts'

// Aggregates over the Memory table (original-api.md memory.stats and memory.shared_stats shapes).

/**
 * Whose view the counts of a caller are: an admin key's are of every memory (null), a client's of what it
 * may see: its own memories, public ones and the personas' own (ownerless) lore, never another user's.
 */
export const statsViewer = (user: UserIdentity): string | null => (user.scope === 'admin' ? null : user.id)

/** the statsViewer rule in SQL, over a `@userId` parameter (null: every memory) */
export const VISIBLE = "(@userId IS NULL OR userId = @userId OR userId IS NULL OR visibility = 'public')"

export function createMemoryStats (db: Database.Database) {
  const summary = db.prepare(`SELECT COUNT(*) AS total, AVG(importance) AS avg,
      SUM(importance >= 0.7) AS high, SUM(createdAt >= @today) AS today
    FROM Memory WHERE personaId = @personaId AND prunedAt IS NULL AND ${VISIBLE}`)
  const types = db.prepare(`SELECT memoryType AS type, COUNT(*) AS n FROM Memory
    WHERE personaId = @personaId AND prunedAt IS NULL AND ${VISIBLE} GROUP BY memoryType`)
  const shared = db.prepare(`SELECT personaId, SUM(visibility = 'shared') AS shared, SUM(visibility = 'public') AS public,
      SUM(relatedPersonas <> '[]') AS crossReferences
    FROM Memory WHERE prunedAt IS NULL AND ${VISIBLE}
    GROUP BY personaId`)
  const live = db.prepare('SELECT COUNT(*) AS n FROM Memory WHERE personaId = ? AND prunedAt IS NULL')

  return {
    /** memory.stats for one persona as one user sees it (userId null: everything, for operators) */
    persona (personaId: string, userId: string | null) {
      const started = performance.now()
      const today = new Date()
      today.setUTCHours(0, 0, 0, 0)
      const row = summary.get({ personaId, userId, today: toSqlTime(today.getTime()) }) as { total: number, avg: number | null, high: number | null, today: number | null }
      if (row.total === 0) return { total_memories: 0 }
      const memoryTypes = Object.fromEntries((types.all({ personaId, userId }) as Array<{ type: string, n: number }>).map((r) => [r.type, r.n]))
      return {
        total_memories: row.total,
        avg_importance: Math.round((row.avg ?? 0) * 1000) / 1000,
        memory_types: memoryTypes,
        high_importance_count: row.high ?? 0,
        created_today: row.today ?? 0,
        stats_calculation_time_ms: Math.round((performance.now() - started) * 1000) / 1000,
      }
    },

    shared (userId: string | null) {
      const rows = shared.all({ userId }) as Array<{ personaId: string, shared: number, public: number, crossReferences: number }>
      const sum = (key: 'shared' | 'public' | 'crossReferences') => rows.reduce((n, r) => n + r[key], 0)
      return {
        total_personas: rows.length,
        shared_memories: sum('shared'),
        public_memories: sum('public'),
        cross_references: sum('crossReferences'),
        by_persona: Object.fromEntries(rows.map((r) => [r.personaId, { shared: r.shared, public: r.public, cross_references: r.crossReferences }])),
      }
    },

    liveCount (personaId: string): number {
      return (live.get(personaId) as { n: number }).n
    },
  }
}

export type MemoryStats = ReturnType<typeof createMemoryStats>
