// The store: the only place that touches a database. openStore() opens the configured one, migrated,
// and returns its repositories; the raw handles stay inside (tests reach them through `database`).
import type { MigrationLogger } from './sqlite/migrations.ts'
import type { Repositories } from './repositories.ts'
import { openDatabase, type SqliteDatabase } from './sqlite/database.ts'
import { createSqliteRepositories } from './sqlite/repositories.ts'

export type { Repositories } from './repositories.ts'

export interface Store {
  repositories: Repositories
  /** the open SQLite database (tests and store tooling read it directly) */
  database: SqliteDatabase
  close (): Promise<void>
}

export async function openStore (options: { url: string, log?: MigrationLogger }): Promise<Store> {
  const database = await openDatabase(options)
  return { repositories: createSqliteRepositories(database), database, close: () => database.close() }
}
