import fp from 'fastify-plugin'
import { databaseUrl } from '../src/config/index.ts'
import { openDatabase, type Store } from '../src/store/database.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Store
  }
}

/** Opens the SQLite database, migrated, and closes it after everything else has stopped. */
export default fp(async (app) => {
  const log = app.log.child({ component: 'db' })
  const store = await openDatabase({ url: databaseUrl(app.config), log })
  log.info({ file: store.file, applied: store.migrations.applied }, 'database ready')
  app.decorate('db', store)
  app.addHook('onClose', async () => { await store.close() })
}, { name: 'db', dependencies: ['config'] })
