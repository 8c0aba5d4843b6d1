// Runs one set of repository assertions against both stores, so SQLite and PostgreSQL cannot drift apart
// unnoticed: SQLite on a test directory's file, PostgreSQL on one throwaway cluster per test file with a
// fresh database per opening (skipped, saying why, where no cluster can start).
import path from 'node:path'
import tap, { type Test } from 'tap'
import type { PrismaClient } from '../../src/generated/prisma/client.ts'
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/database.ts'
import { openPostgres, type PostgresDatabase } from '../../src/store/postgres/database.ts'
import { postgresUnavailable, startPostgres, type Postgres } from './postgres.ts'

export interface OpenedStore<R> {
  repo: R
  /** Prisma on the same database, to set up and inspect rows (the PostgreSQL client, generated from the same model, has the same API) */
  prisma: PrismaClient
  /** a persona row (what foreign keys point at) */
  addPersona (id: string): Promise<void>
  /** the same repository on the same database through its own connection: another server instance */
  another (): Promise<R>
}

export interface StoreUnderTest<R> {
  name: 'sqlite' | 'postgres'
  /** a new, migrated, empty database with the repository on it; closed at the end of `t` */
  open (t: Test): Promise<OpenedStore<R>>
}

export interface RepositoryFactories<R> {
  sqlite: (db: SqliteDatabase) => R
  postgres: (db: PostgresDatabase) => R
}

function opened<R> (repo: R, prisma: PrismaClient, another: () => Promise<R>): OpenedStore<R> {
  const addPersona = async (id: string) => { await prisma.persona.create({ data: { id, name: id, nameKey: id, personalityTraits: {}, topicPreferences: {} } }) }
  return { repo, prisma, addPersona, another }
}

function sqliteStore<R> (make: RepositoryFactories<R>['sqlite']): StoreUnderTest<R> {
  return {
    name: 'sqlite',
    async open (t) {
      const file = path.join(t.testdir(), 'persona.db')
      const connect = async () => {
        const db = await openDatabase({ file })
        t.teardown(() => db.close())
        return db
      }
      const db = await connect()
      return opened(make(db), db.prisma, async () => make(await connect()))
    },
  }
}

function postgresStore<R> (make: RepositoryFactories<R>['postgres'], createDatabase: () => Promise<string>): StoreUnderTest<R> {
  return {
    name: 'postgres',
    async open (t) {
      const url = await createDatabase()
      const connect = async () => {
        const db = await openPostgres({ url, poolSize: 4 })
        t.teardown(() => db.close())
        return db
      }
      const db = await connect()
      return opened(make(db), db.prisma as unknown as PrismaClient, async () => make(await connect()))
    },
  }
}

// one cluster per test file (~2 s to start), stopped when the file's tests end
let cluster: Promise<Postgres> | undefined
const sharedCluster = async () => await (cluster ??= startPostgres().then((server) => { tap.teardown(() => server.stop()); return server }))

/** Calls `define` once per store, inside a subtest named after it; `define` adds the subtests. */
export function forBothStores<R> (t: Test, make: RepositoryFactories<R>, define: (t: Test, store: StoreUnderTest<R>) => void): void {
  t.test('SQLite', async (t) => { define(t, sqliteStore(make.sqlite)) })
  t.test('PostgreSQL', { skip: postgresUnavailable() ?? false }, async (t) => {
    const server = await sharedCluster()
    define(t, postgresStore(make.postgres, server.createDatabase))
  })
}
