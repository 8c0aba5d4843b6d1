// Opens the SQLite database: migrations first (raw better-sqlite3), then Prisma on the same file.
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaClient } from '../../generated/prisma/client.ts'
import { PROJECT_ROOT } from '../../util/project-root.ts'
import { applyMigrations, type ApplyResult, type MigrationLogger } from './migrations.ts'

export const DEFAULT_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations')

export interface OpenDatabaseOptions {
  /** `file:./data/persona.db`, `file:/abs/path.db` or `file:///abs/path.db` */
  url?: string
  /** a plain path; relative paths resolve against the cwd */
  file?: string
  migrationsDir?: string
  log?: MigrationLogger
  /** how long a writer waits for a lock held by another connection */
  busyTimeoutMs?: number
}

export interface SqliteDatabase {
  prisma: PrismaClient
  /** raw handle on the same file, for set-based hot work (decay, pruning, re-sync) */
  sqlite: Database.Database
  /** absolute path of the database file */
  file: string
  migrations: ApplyResult
  close (): Promise<void>
}

/** The absolute file path of a `file:` URL or plain path (Prisma's URL form, query string ignored). */
export function resolveDatabaseFile (urlOrPath: string, cwd = process.cwd()): string {
  let p = urlOrPath
  if (p.startsWith('file://')) p = fileURLToPath(p.split('?')[0] ?? p)
  else if (p.startsWith('file:')) p = p.slice('file:'.length).split('?')[0] ?? ''
  if (p === '' || p === ':memory:') {
    // the raw handle and Prisma's connection must see the same data, so an in-memory database cannot work
    throw new Error(`database must be a file, got "${urlOrPath}"`)
  }
  return path.resolve(cwd, p)
}

/** Prisma's connection to the file, set up as the raw handle is (per-connection pragmas) whenever Prisma opens it. */
class PragmaSqlite3 extends PrismaBetterSqlite3 {
  override async connect () {
    const adapter = await super.connect()
    await adapter.executeScript('PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL')
    const fk = await adapter.queryRaw({ sql: 'PRAGMA foreign_keys', args: [], argTypes: [] })
    if (Number(fk.rows[0]?.[0]) !== 1) throw new Error('foreign keys could not be enabled on the Prisma connection')
    return adapter
  }
}

export async function openDatabase (options: OpenDatabaseOptions): Promise<SqliteDatabase> {
  const target = options.url ?? options.file
  if (target === undefined) throw new Error('openDatabase needs a url or a file')
  const file = resolveDatabaseFile(target)
  const timeout = options.busyTimeoutMs ?? 5000
  mkdirSync(path.dirname(file), { recursive: true })

  const sqlite = new Database(file, { timeout })
  let prisma: PrismaClient | undefined
  try {
    // WAL is a property of the file (persists); synchronous and foreign_keys are per connection.
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
    sqlite.pragma('foreign_keys = ON')
    const migrations = applyMigrations(sqlite, options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR, options.log)

    // Prisma connects (and compiles its query engine, a few hundred ms) on its first query, not here: the
    // hot paths and start-up read through the raw handle, so a server can answer before Prisma is needed
    prisma = new PrismaClient({ adapter: new PragmaSqlite3({ url: file, timeout }) })

    const client = prisma
    return {
      prisma: client,
      sqlite,
      file,
      migrations,
      async close () {
        await client.$disconnect()
        if (sqlite.open) sqlite.close()
      }
    }
  } catch (err) {
    await prisma?.$disconnect()
    sqlite.close()
    throw err
  }
}
