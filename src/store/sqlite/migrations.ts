// Applies prisma/migrations/<name>/migration.sql the way `prisma migrate deploy` does, recording each one in
// Prisma's own `_prisma_migrations` table, so that Prisma's CLI (where its engines exist) sees the same history.
// better-sqlite3 directly: this runs before Prisma connects, and the Prisma 7 CLI cannot migrate offline.
import { toSqlTime } from './sql-time.ts'
import { createHash, randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'

export interface MigrationLogger {
  info (obj: object, msg?: string): void
}

export interface ApplyResult {
  /** migrations applied by this call, in order */
  applied: string[]
  /** migrations that were already applied (checksum verified) */
  skipped: string[]
}

export class MigrationError extends Error {
  readonly migration: string | undefined
  constructor (message: string, migration?: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MigrationError'
    this.migration = migration
  }
}

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

interface Row {
  migration_name: string
  checksum: string
  started_at: string
  finished_at: string | null
  rolled_back_at: string | null
}

export interface Migration { name: string, sql: string, checksum: string }

const now = (): string => toSqlTime()

/** Migration folders (those holding a migration.sql), sorted by name as Prisma does. */
export function readMigrations (dir: string): Migration[] {
  if (!existsSync(dir)) throw new MigrationError(`migrations directory ${dir} does not exist`)
  const lock = path.join(dir, 'migration_lock.toml')
  if (existsSync(lock)) {
    const provider = /^\s*provider\s*=\s*"([^"]+)"/m.exec(readFileSync(lock, 'utf8'))?.[1]
    if (provider !== undefined && provider !== 'sqlite') {
      throw new MigrationError(`${lock} is for provider "${provider}", not "sqlite"`)
    }
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, 'migration.sql'))
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') }
    })
}

export function applyMigrations (db: BetterSqlite3.Database, dir: string, log?: MigrationLogger): ApplyResult {
  if (db.inTransaction) throw new MigrationError('applyMigrations cannot run inside a transaction')
  db.exec(MIGRATIONS_TABLE)
  const migrations = readMigrations(dir)
  const rows = () => db.prepare('SELECT migration_name, checksum, started_at, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at').all() as Row[]

  // Prisma refuses to go on past a failed migration (P3009) until it is resolved.
  const failed = rows().find((r) => r.finished_at === null && r.rolled_back_at === null)
  if (failed !== undefined) {
    throw new MigrationError(`Migration ${failed.migration_name} (started at ${failed.started_at}) failed; no new migrations will be applied. ` +
      'Fix it, then mark it rolled back (`prisma migrate resolve --rolled-back ' + failed.migration_name +
      '`, or set rolled_back_at in "_prisma_migrations") and run again.', failed.migration_name)
  }

  // Validate the whole history before touching anything: an edited applied migration is an error (as in Prisma).
  const done = new Map(rows().filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r]))
  for (const m of migrations) {
    const row = done.get(m.name)
    if (row !== undefined && row.checksum !== m.checksum) {
      throw new MigrationError(`Migration ${m.name} was modified after it was applied (checksum ${row.checksum} in the database, ` +
        `${m.checksum} on disk). Restore the original file and put the change in a new migration.`, m.name)
    }
  }
  const known = new Set(migrations.map((m) => m.name))
  const missing = [...done.keys()].filter((name) => !known.has(name))
  if (missing.length > 0) log?.info({ missing }, 'applied migrations missing from the migrations directory')

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
