import fp from 'fastify-plugin'
import { createPersonaMethods } from '../src/personas/methods.ts'
import { createPersonaRepository } from '../src/personas/repository.ts'
import { createPersonaService, type PersonaService } from '../src/personas/service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    personas: PersonaService
  }
}

/** Personas: seeded at start-up, their methods registered, their state regenerated on a schedule. */
export default fp(async (app) => {
  const { prisma } = app.db
  const personas = createPersonaService({ repository: createPersonaRepository(prisma), rules: app.config.personas })
  await personas.init()
  app.decorate('personas', personas)

  app.rpc.registry.add(...createPersonaMethods({
    personas,
    sessions: app.sessions,
    memoryStats: async (personaId) => ({ total_memories: await prisma.memory.count({ where: { personaId, prunedAt: null } }) }),
  }))

  app.scheduler.every('persona-regeneration', app.config.personas.regenerationCron, async () => {
    const changed = await personas.regenerateAll()
    if (changed > 0) app.log.debug({ changed }, 'persona state regenerated')
  })
}, { name: 'persona', dependencies: ['config', 'db', 'rpc', 'sessions', 'scheduler'] })
