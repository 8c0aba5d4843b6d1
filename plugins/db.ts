import fp from 'fastify-plugin'
import { databaseUrl } from '../src/config/index.ts'
import { openStore, type Repositories } from '../src/store/index.ts'
import type { SqliteDatabase } from '../src/store/sqlite/database.ts'
import type { Cluster } from '../src/events/cluster.ts'
import { createInvalidation, type Invalidation } from '../src/events/invalidation.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** every repository, on the configured database: what the other plugins hand their services */
    store: Repositories
    /** the instances sharing the database (one, on SQLite): cross-instance messages and job claims */
    cluster: Cluster
    /** cache invalidations between the instances: each service announces its writes, drops what others wrote */
    invalidation: Invalidation
    /** the open SQLite database itself: for the tests and this plugin only (throws on PostgreSQL) */
    db: SqliteDatabase
  }
}

/** Opens the database, migrated, and closes it after everything else has stopped. */
export default fp(async (app) => {
  const log = app.log.child({ component: 'db' })
  const store = await openStore({ url: databaseUrl(app.config), poolSize: app.config.server.databasePoolSize, log })
  log.info({ database: store.kind, where: store.where, applied: store.migrations.applied }, 'database ready')
  app.decorate('store', store.repositories)
  app.decorate('cluster', store.cluster)
  const invalidation = createInvalidation(store.cluster, log)
  app.decorate('invalidation', invalidation)
  const { sqlite } = store
  app.decorate('db', {
    getter () {
      if (sqlite === undefined) throw new Error('app.db is the SQLite database; this server runs on PostgreSQL')
      return sqlite
    },
  })
  app.addHook('onClose', async () => { await invalidation.flush(); await store.close() })
}, { name: 'db', dependencies: ['config'] })
