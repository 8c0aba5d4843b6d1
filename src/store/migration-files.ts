// Prisma Migrate's migration folders, read the same way for every provider: <stamp>_<name>/migration.sql,
// sorted by name, checksummed as Prisma does, and refused when migration_lock.toml names another provider.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

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

export interface Migration { name: string, sql: string, checksum: string }

/** Migration folders (those holding a migration.sql), sorted by name as Prisma does. */
export function readMigrations (dir: string, provider: 'sqlite' | 'postgresql'): Migration[] {
  if (!existsSync(dir)) throw new MigrationError(`migrations directory ${dir} does not exist`)
  const lock = path.join(dir, 'migration_lock.toml')
  if (existsSync(lock)) {
    const found = /^\s*provider\s*=\s*"([^"]+)"/m.exec(readFileSync(lock, 'utf8'))?.[1]
    if (found !== undefined && found !== provider) {
      throw new MigrationError(`${lock} is for provider "${found}", not "${provider}"`)
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

/** A row of Prisma's `_prisma_migrations` table, as either database returns it. */
export interface HistoryRow {
  migration_name: string
  checksum: string
  started_at: string | Date
  finished_at: string | Date | null
  rolled_back_at: string | Date | null
}

/** Checks the recorded history against the files as Prisma does, before anything is touched; returns the applied ones by name. */
export function checkHistory (migrations: Migration[], rows: HistoryRow[], log?: MigrationLogger): Map<string, HistoryRow> {
  // Prisma refuses to go on past a failed migration (P3009) until it is resolved.
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null)
  if (failed !== undefined) {
    throw new MigrationError(`Migration ${failed.migration_name} (started at ${failed.started_at}) failed; no new migrations will be applied. ` +
      'Fix it, then mark it rolled back (`prisma migrate resolve --rolled-back ' + failed.migration_name +
      '`, or set rolled_back_at in "_prisma_migrations") and run again.', failed.migration_name)
  }

  // Validate the whole history before touching anything: an edited applied migration is an error (as in Prisma).
  const done = new Map(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r]))
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

  return done
}
