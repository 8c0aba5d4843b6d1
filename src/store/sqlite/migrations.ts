// Applies prisma/migrations/<name>/migration.sql the way `prisma migrate deploy` does, recording each one in
// Prisma's own `_prisma_migrations` table, so that Prisma's CLI (where its engines exist) sees the same history.
// better-sqlite3 directly: this runs before Prisma connects, and the Prisma 7 CLI cannot migrate offline.
import { toSqlTime } from './sql-time.ts'
import { randomUUID } from 'node:crypto'
import type BetterSqlite3 from 'better-sqlite3'
import { checkHistory, MigrationError, readMigrations, type ApplyResult, type HistoryRow, type Migration, type MigrationLogger } from '../migration-files.ts'

export { MigrationError, readMigrations, type ApplyResult, type Migration, type MigrationLogger }

// Prisma Migrate's DDL for SQLite, verbatim.
const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`

const now = (): string => toSqlTime()

export function applyMigrations (db: BetterSqlite3.Database, dir: string, log?: MigrationLogger): ApplyResult {
  if (db.inTransaction) throw new MigrationError('applyMigrations cannot run inside a transaction')
  db.exec(MIGRATIONS_TABLE)
  const migrations = readMigrations(dir, 'sqlite')
  const rows = () => db.prepare('SELECT migration_name, checksum, started_at, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at').all() as HistoryRow[]

  const done = checkHistory(migrations, rows(), log)

  const result: ApplyResult = { applied: [], skipped: [] }
  for (const m of migrations) {
    if (done.has(m.name)) result.skipped.push(m.name)
    else if (applyOne(db, m)) {
      result.applied.push(m.name)
      log?.info({ migration: m.name }, 'migration applied')
    } else result.skipped.push(m.name)
  }
  return result
}

/** One migration in its own transaction; false when another process applied it meanwhile. */
function applyOne (db: BetterSqlite3.Database, m: Migration): boolean {
  // PRAGMA foreign_keys is a no-op inside a transaction: without this, the DROP TABLE of a
  // `-- RedefineTables` migration would cascade-delete every child row.
  const fkWasOn = db.pragma('foreign_keys', { simple: true }) === 1
  db.pragma('foreign_keys = OFF')
  const startedAt = now()
  try {
    db.exec('BEGIN IMMEDIATE')
    try {
      const applied = db.prepare('SELECT 1 FROM "_prisma_migrations" WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL').get(m.name)
      if (applied !== undefined) {
        db.exec('ROLLBACK')
        return false
      }
      db.exec(m.sql)
      const violations = db.pragma('foreign_key_check') as Array<{ table: string, parent: string }>
      if (violations.length > 0) {
        const where = [...new Set(violations.map((v) => `${v.table} -> ${v.parent}`))].join(', ')
        throw new Error(`foreign key check failed after the migration: ${violations.length} row(s) (${where})`)
      }
      db.prepare('INSERT INTO "_prisma_migrations" (id, checksum, started_at, finished_at, migration_name, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)')
        .run(randomUUID(), m.checksum, startedAt, now(), m.name)
      db.exec('COMMIT')
      return true
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK')
      const message = err instanceof Error ? err.message : String(err)
      // Recorded as Prisma records a failure: no finished_at, the error in logs. It blocks later runs.
      db.prepare('INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name, logs, applied_steps_count) VALUES (?, ?, ?, ?, ?, 0)')
        .run(randomUUID(), m.checksum, startedAt, m.name, message)
      throw new MigrationError(`Migration ${m.name} failed and was rolled back: ${message}`, m.name, { cause: err })
    }
  } finally {
    if (fkWasOn) db.pragma('foreign_keys = ON')
  }
}
