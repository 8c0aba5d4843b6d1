// Applies prisma/postgres/migrations the way `prisma migrate deploy` does, under the advisory lock Prisma
// Migrate itself takes (72707369): ten instances starting at once migrate once, and neither they nor a
// `prisma migrate deploy` run elsewhere can interleave. Each migration is one transaction (PostgreSQL has
// transactional DDL), recorded in Prisma's `_prisma_migrations` table with Prisma's own DDL.
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { checkHistory, MigrationError, readMigrations, type ApplyResult, type HistoryRow, type Migration, type MigrationLogger } from '../migration-files.ts'

const PRISMA_MIGRATE_LOCK = 72707369

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`

export async function applyPostgresMigrations (pool: pg.Pool, dir: string, log?: MigrationLogger): Promise<ApplyResult> {
  const migrations = readMigrations(dir, 'postgresql')
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK])
    try {
      await client.query(MIGRATIONS_TABLE)
      const { rows } = await client.query<HistoryRow>('SELECT migration_name, checksum, started_at, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at')
      const done = checkHistory(migrations, rows, log)
      const result: ApplyResult = { applied: [], skipped: [] }
      for (const m of migrations) {
        if (done.has(m.name)) { result.skipped.push(m.name); continue }
        await applyOne(client, m)
        result.applied.push(m.name)
        log?.info({ migration: m.name }, 'migration applied')
      }
      return result
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK])
    }
  } finally {
    client.release()
  }
}

async function applyOne (client: pg.PoolClient, m: Migration): Promise<void> {
  const startedAt = new Date()
  try {
    await client.query('BEGIN')
    await client.query(m.sql)
    await client.query('INSERT INTO "_prisma_migrations" (id, checksum, started_at, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, $3, now(), $4, 1)',
      [randomUUID(), m.checksum, startedAt, m.name])
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    const message = err instanceof Error ? err.message : String(err)
    // recorded as Prisma records a failure: no finished_at, the error in logs; it blocks later runs
    await client.query('INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name, logs, applied_steps_count) VALUES ($1, $2, $3, $4, $5, 0)',
      [randomUUID(), m.checksum, startedAt, m.name, message])
    throw new MigrationError(`Migration ${m.name} failed and was rolled back: ${message}`, m.name, { cause: err })
  }
}
