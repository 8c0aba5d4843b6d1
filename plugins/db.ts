import fp from 'fastify-plugin'
import { databaseUrl } from '../src/config/index.ts'
import { openStore, type Repositories } from '../src/store/index.ts'
import type { SqliteDatabase } from '../src/store/sqlite/database.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** every repository, on the configured database: what the other plugins hand their services */
    store: Repositories
    /** the open database itself: for the tests and this plugin only */
    db: SqliteDatabase
  }
}

/** Opens the database, migrated, and closes it after everything else has stopped. */
export default fp(async (app) => {
  const log = app.log.child({ component: 'db' })
  const store = await openStore({ url: databaseUrl(app.config), log })
  log.info({ file: store.database.file, applied: store.database.migrations.applied }, 'database ready')
  app.decorate('store', store.repositories)
  app.decorate('db', store.database)
  app.addHook('onClose', async () => { await store.close() })
}, { name: 'db', dependencies: ['config'] })
