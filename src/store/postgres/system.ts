import type { StoredCounts, StoreHealth } from '../../system/repository.ts'
import type { PostgresDatabase } from './database.ts'

// The health probe and the counts /metrics reads on PostgreSQL. Mirrors src/store/sqlite/system.ts.

const PING_TIMEOUT_MS = 2000

/**
 * The health probe: a trivial query. Bounded, unlike SQLite's: an unreachable server (a dropped route, a
 * failover) would otherwise keep /ready waiting on the pool for as long as TCP does.
 */
export function createPostgresStoreHealth ({ pool, where }: PostgresDatabase, timeoutMs = PING_TIMEOUT_MS): StoreHealth {
  return {
    async ping () {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`PostgreSQL at ${where} did not answer within ${timeoutMs} ms`)), timeoutMs)
      })
      try {
        await Promise.race([pool.query({ name: 'health-ping', text: 'SELECT 1' }), late])
      } finally {
        clearTimeout(timer)
      }
    },
  }
}

const PER_PERSONA = `SELECT p.name AS persona, COUNT(m.id)::int AS memories
  FROM "Persona" p LEFT JOIN "Memory" m ON m."personaId" = p.id AND m."prunedAt" IS NULL GROUP BY p.id ORDER BY p.id COLLATE "C"`

/** The counts /metrics reads at scrape time (not hot: once per scrape). */
export function createPostgresStoredCounts ({ pool }: PostgresDatabase): StoredCounts {
  // count(*) is a bigint, which pg hands back as text
  const count = async (sql: string) => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n ${sql}`)).rows[0]!.n)
  return {
    async memoriesPerPersona () { return (await pool.query<{ persona: string, memories: number }>(PER_PERSONA)).rows },
    async prunedMemories () { return await count('FROM "Memory" WHERE "prunedAt" IS NOT NULL') },
    async pruneRuns () { return await count('FROM "PruneRun"') },
    async decayRuns () { return await count('FROM "DecayRun"') },
  }
}
