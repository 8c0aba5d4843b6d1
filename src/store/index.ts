// The store: the only place that touches a database. openStore() opens the one DATABASE_URL names
// (file: SQLite, the embedded default; postgresql:// PostgreSQL, for several instances), migrated, and
// returns its repositories and the cluster its instances form; the raw handles stay inside (tests reach
// the SQLite one through `sqlite`).
import type { Cluster } from '../events/cluster.ts'
import { singleInstance } from '../events/cluster.ts'
import type { MigrationLogger } from './migration-files.ts'
import type { Repositories } from './repositories.ts'
import { openDatabase, type SqliteDatabase } from './sqlite/database.ts'
import { createSqliteRepositories } from './sqlite/repositories.ts'

export type { Repositories } from './repositories.ts'

export interface Store {
  kind: 'sqlite' | 'postgresql'
  repositories: Repositories
  cluster: Cluster
  /** the open SQLite database (tests read it directly); undefined on PostgreSQL */
  sqlite: SqliteDatabase | undefined
  /** where the data is, for the start-up log (no password) */
  where: string
  migrations: { applied: string[] }
  close (): Promise<void>
}

export interface OpenStoreOptions {
  url: string
  /** PostgreSQL connections of this instance */
  poolSize?: number
  log?: MigrationLogger & { warn (obj: object, msg?: string): void }
}

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//.test(url)

export async function openStore (options: OpenStoreOptions): Promise<Store> {
  if (isPostgresUrl(options.url)) {
    // loaded for PostgreSQL only: its Prisma client and driver would add a quarter to a SQLite server's start-up
    const [{ openPostgres }, { openPostgresCluster }, { createPostgresRepositories }] = await Promise.all([
      import('./postgres/database.ts'), import('./postgres/cluster.ts'), import('./postgres/repositories.ts'),
    ])
    const db = await openPostgres({ url: options.url, poolSize: options.poolSize, log: options.log })
    const cluster = await openPostgresCluster(db, options.url, options.log ?? { warn () {} })
    return {
      kind: 'postgresql',
      repositories: createPostgresRepositories(db),
      cluster,
      sqlite: undefined,
      where: db.where,
      migrations: db.migrations,
      async close () {
        await cluster.close()
        await db.close()
      },
    }
  }
  const database = await openDatabase(options)
  return {
    kind: 'sqlite',
    repositories: createSqliteRepositories(database),
    cluster: singleInstance,
    sqlite: database,
    where: database.file,
    migrations: database.migrations,
    close: () => database.close(),
  }
}
