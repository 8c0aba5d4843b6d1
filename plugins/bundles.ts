import fp from 'fastify-plugin'
import { createBundleMethods } from '../src/cards/bundle-methods.ts'
import { createBundleService, type BundleService } from '../src/cards/bundle.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** persona bundles: a user's data about one persona, exported and imported */
    bundles: BundleService
  }
}

/** Persona bundles: persona.export_bundle / import_bundle (the admin routes call the same service). */
export default fp(async (app) => {
  const bundles = createBundleService({
    repository: app.store.bundles,
    personas: app.personas,
    cards: app.cards,
    embedder: app.vectors.embedder,
    index: app.vectors,
    flushAccesses: () => app.memory.flushAccesses(),
    relationshipsChanged: (userId) => { app.relationships.forgetUser(userId) },
    maxBytes: app.config.cards.maxBundleBytes,
    log: app.log.child({ component: 'bundles' }),
  })
  app.decorate('bundles', bundles)
  app.rpc.registry.add(...createBundleMethods({ bundles }))
}, { name: 'bundles', dependencies: ['config', 'db', 'rpc', 'persona', 'vector', 'memory', 'cards', 'relationship'] })
