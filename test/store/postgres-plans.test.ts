import t from 'tap'
import pg from 'pg'
import { openPostgres } from '../../src/store/postgres/database.ts'
import { createPostgresMemoryRepository } from '../../src/store/postgres/memories.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

// Hot reads keep to their key whatever plan PostgreSQL caches for a prepared statement. After five runs a
// named statement may switch to a generic plan, costed without the parameters' values and with the
// statistics of whenever the table was last analyzed: a plan that walks a whole index looks as cheap as a
// key lookup while the table is small, and stays once it has grown. Forced generic plans here, and what
// the indexes read, counted by PostgreSQL's own statistics.

const skip = postgresUnavailable() ?? false
const MEMORIES = 3000

t.test('recalling memories by id reads their keys, not the persona\'s whole index, under a generic plan', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = await server.createDatabase()
  // one connection: the statistics a backend gathers are flushed by that backend
  const db = await openPostgres({ url: `${url}?options=-c%20plan_cache_mode%3Dforce_generic_plan`, poolSize: 1 })
  t.teardown(() => db.close())
  await db.pool.query(`INSERT INTO "Persona" (id, name, "nameKey", "personalityTraits", "topicPreferences", "updatedAt") VALUES ('aria', 'Aria', 'aria', '{}', '{}', now())`)
  await db.pool.query(`INSERT INTO "Memory" (id, "personaId", "userId", content, "memoryType", importance, "baseImportance", "emotionalValence", visibility, "relatedPersonas", metadata, "accessCount", "createdAt")
    SELECT 'm' || n, 'aria', 'alice', 'memory ' || n, 'user_input', 0.5, 0.5, 0, 'private', '[]', '{}', 0, now() FROM generate_series(1, ${MEMORIES}) AS n`)
  await db.pool.query(`UPDATE "Memory" SET "prunedAt" = now() WHERE id = 'm3'`)
  const repo = createPostgresMemoryRepository(db)

  const reader = new pg.Client({ connectionString: url })
  await reader.connect()
  t.teardown(() => reader.end())
  const tuplesRead = async () => {
    await db.pool.query('SELECT pg_stat_force_next_flush()')
    await reader.query('SELECT pg_stat_clear_snapshot()')
    const { rows } = await reader.query<{ n: string }>(`SELECT coalesce(sum(idx_tup_read), 0) + coalesce((SELECT seq_tup_read FROM pg_stat_user_tables WHERE relname = 'Memory'), 0) AS n
      FROM pg_stat_user_indexes WHERE relname = 'Memory'`)
    return Number(rows[0]?.n)
  }

  const before = await tuplesRead()
  const CALLS = 10
  for (let i = 0; i < CALLS; i++) t.same((await repo.getMany(['m1', 'm2', 'm3'])).map((m) => m.id).sort(), ['m1', 'm2'], 'the pruned memory is left out')
  const read = (await tuplesRead()) - before
  t.ok(read <= CALLS * 3 * 2, `${CALLS} recalls of 3 ids read ${read} tuples (a walk of the persona's index reads ${MEMORIES} each)`)
})
