import fp from 'fastify-plugin'
import { createMemoryStats, statsViewer } from '../src/memory/stats.ts'
import { createPersonaMethods } from '../src/personas/methods.ts'
import { createPersonaRepository } from '../src/personas/repository.ts'
import { createPersonaService, type PersonaService } from '../src/personas/service.ts'
import { personaView } from '../src/personas/views.ts'

declare module 'fastify' {
  interface FastifyInstance {
    personas: PersonaService
  }
}

/** Personas: seeded at start-up, their methods registered, their state regenerated on a schedule. */
export default fp(async (app) => {
  const { prisma } = app.db
  const personas = createPersonaService({ repository: createPersonaRepository(prisma, app.db.sqlite), rules: app.config.personas })
  await personas.init()
  app.decorate('personas', personas)

  const memoryStats = createMemoryStats(app.db.sqlite)
  app.rpc.registry.add(...createPersonaMethods({
    personas,
    sessions: app.sessions,
    memoryStats: async (personaId, user) => memoryStats.persona(personaId, statsViewer(user)),
  }))

  // watchers of `persona.<id>` see every state change: personas are visible to everyone, and so is their state
  personas.onChange((persona) => {
    const { interaction_state } = personaView(persona, personas)
    app.events.publish(`persona.${persona.id}`, 'state_changed', { persona_id: persona.id, name: persona.name, interaction_state }, 'public')
  })

  app.scheduler.every('persona-regeneration', app.config.personas.regenerationCron, async () => {
    const changed = await personas.regenerateAll()
    if (changed > 0) app.log.debug({ changed }, 'persona state regenerated')
  })
}, { name: 'persona', dependencies: ['config', 'db', 'rpc', 'events', 'sessions', 'scheduler'] })
