// Opens a PostgreSQL database: one pg pool, migrations applied under Prisma Migrate's advisory lock, then
// Prisma (through @prisma/adapter-pg) on the same pool. Hot paths use the pool's prepared statements.
import path from 'node:path'
import pg from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '../../generated/prisma-pg/client.ts'
import { PROJECT_ROOT } from '../../util/project-root.ts'
import type { ApplyResult, MigrationLogger } from '../migration-files.ts'
import { applyPostgresMigrations } from './migrations.ts'

export const POSTGRES_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'postgres', 'migrations')

export interface PostgresDatabase {
  prisma: PrismaClient
  pool: pg.Pool
  /** the URL without its password, for logs */
  where: string
  migrations: ApplyResult
  close (): Promise<void>
}

export interface OpenPostgresOptions {
  url: string
  migrationsDir?: string
  log?: MigrationLogger
  /** connections in the pool */
  poolSize?: number
}

/** The URL with any password replaced, safe for logs and errors. */
export function redactUrl (url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return 'postgresql://(unparsable URL)'
  }
}

// Prisma writes TIMESTAMP(3) columns (no time zone) in UTC; pg would read them in the process's local zone
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => oid === pg.types.builtins.TIMESTAMP && format !== 'binary'
    ? (text: string) => new Date(text.replace(' ', 'T') + 'Z')
    : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}

export async function openPostgres (options: OpenPostgresOptions): Promise<PostgresDatabase> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, types })
  // an idle client that loses its server (restart, failover) emits here; without a listener it would crash the process
  pool.on('error', () => {})
  let prisma: PrismaClient | undefined
  try {
    const migrations = await applyPostgresMigrations(pool, options.migrationsDir ?? POSTGRES_MIGRATIONS_DIR, options.log)
    prisma = new PrismaClient({ adapter: new PrismaPg(pool) })
    await prisma.$connect()
    const client = prisma
    return {
      prisma: client,
      pool,
      where: redactUrl(options.url),
      migrations,
      async close () {
        await client.$disconnect()
        await pool.end()
      },
    }
  } catch (err) {
    await prisma?.$disconnect().catch(() => {})
    await pool.end().catch(() => {})
    throw err
  }
}
