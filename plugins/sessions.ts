import fp from 'fastify-plugin'
import { createSessionService, type SessionService } from '../src/sessions/service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionService
  }
}

export default fp(async (app) => {
  app.decorate('sessions', createSessionService({ repository: app.store.sessions }))
}, { name: 'sessions', dependencies: ['db'] })
