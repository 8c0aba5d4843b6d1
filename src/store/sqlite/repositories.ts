import type { Repositories } from '../repositories.ts'
import type { SqliteDatabase } from './database.ts'
import { createSqlitePersonaRepository } from './personas.ts'
import { createSqliteCardRepository } from './cards.ts'
import { createSqliteUserDataRepository } from './users.ts'

/** The SQLite implementation of every repository port, on one open database. */
export function createSqliteRepositories (db: SqliteDatabase): Repositories {
  void db
  return {
    personas: createSqlitePersonaRepository(db),
    cards: createSqliteCardRepository(db),
    userData: createSqliteUserDataRepository(db),
  }
}
