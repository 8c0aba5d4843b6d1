import type { MemoryStatsRepository, PersonaMemoryFigures, SharedMemoryFigures } from '../../memory/repository.ts'
import type { PostgresDatabase } from './database.ts'
import { pgTime, visibleTo } from './memories.ts'

// Aggregates over the Memory table, as on SQLite (src/store/sqlite/memories-stats.ts) but not cached:
// SQLite's cache is kept honest by data_version, and PostgreSQL has no cheap equivalent that sees other
// instances' commits. A persona's figures are one prepared statement (the type counts folded in), one round trip.

const PERSONA = `WITH m AS (SELECT importance, "createdAt", "memoryType" FROM "Memory"
    WHERE "personaId" = $1 AND "prunedAt" IS NULL AND ${visibleTo('$2')})
  SELECT count(*) AS total, avg(importance) AS avg, count(*) FILTER (WHERE importance >= 0.7) AS high,
    count(*) FILTER (WHERE "createdAt" >= $3::timestamp) AS since,
    (SELECT json_object_agg(t, n) FROM (SELECT "memoryType" AS t, count(*) AS n FROM m GROUP BY "memoryType") types) AS types
  FROM m`

const SHARED = `SELECT "personaId", count(*) FILTER (WHERE visibility = 'shared') AS shared, count(*) FILTER (WHERE visibility = 'public') AS public,
    count(*) FILTER (WHERE "relatedPersonas" <> '[]'::jsonb) AS "crossReferences"
  FROM "Memory" WHERE "prunedAt" IS NULL AND ${visibleTo('$1')} GROUP BY "personaId" ORDER BY "personaId" COLLATE "C"`

interface PersonaRow { total: string, avg: number | null, high: string, since: string, types: Record<string, number> | null }
interface SharedRow { personaId: string, shared: string, public: string, crossReferences: string }

export function createPostgresMemoryStatsRepository ({ pool }: PostgresDatabase): MemoryStatsRepository {
  return {
    async persona (personaId, viewer, since): Promise<PersonaMemoryFigures> {
      const { rows: [row] } = await pool.query<PersonaRow>({ name: 'memory-stats-persona', text: PERSONA, values: [personaId, viewer, pgTime(since)] })
      return { total: Number(row.total), averageImportance: row.avg ?? 0, highImportance: Number(row.high), createdSince: Number(row.since), byType: row.types ?? {} }
    },
    async shared (viewer): Promise<SharedMemoryFigures[]> {
      const { rows } = await pool.query<SharedRow>({ name: 'memory-stats-shared', text: SHARED, values: [viewer] })
      return rows.map((r) => ({ personaId: r.personaId, shared: Number(r.shared), public: Number(r.public), crossReferences: Number(r.crossReferences) }))
    },
  }
}
