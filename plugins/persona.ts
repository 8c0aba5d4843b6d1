import fp from 'fastify-plugin'
import { PersonaMemoryStats } from '../src/memory/schemas.ts'
import { createMemoryStats, statsViewer } from '../src/memory/stats.ts'
import { publishStateChanges, regenerationJob } from '../src/personas/events.ts'
import { createPersonaMethods } from '../src/personas/methods.ts'
import { personaPrefetch } from '../src/personas/prefetch.ts'
import { createPersonaService, type PersonaService } from '../src/personas/service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    personas: PersonaService
  }
}

/** Personas: seeded at start-up, their methods registered, their state regenerated on a schedule. */
export default fp(async (app) => {
  const personas = createPersonaService({ repository: app.store.personas, rules: app.config.personas, announce: app.invalidation.announcer('persona') })
  await personas.init()
  app.invalidation.on('persona', (ids) => personas.refresh(ids))
  app.invalidation.onResync(() => personas.refreshAll())
  app.decorate('personas', personas)
  // several instances: a call naming a persona created elsewhere a moment ago finds it in the database
  if (app.cluster.scope === 'many') app.rpc.registry.beforeCalls(personaPrefetch(personas))

  const memoryStats = createMemoryStats(app.store.memoryStats)
  app.rpc.registry.add(...createPersonaMethods({
    personas,
    sessions: app.sessions,
    memoryStats: { schema: PersonaMemoryStats, of: async (personaId, user) => memoryStats.persona(personaId, statsViewer(user)) },
  }))
  publishStateChanges(personas, app.events)
  app.scheduler.every('persona-regeneration', app.config.personas.regenerationCron, regenerationJob(personas, app.log))
}, { name: 'persona', dependencies: ['config', 'db', 'rpc', 'events', 'sessions', 'scheduler'] })
