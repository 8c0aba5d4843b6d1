import type { FastifyError, FastifyPluginAsync } from 'fastify'
import { ErrorBody, httpErrorFor } from './errors.ts'
import rateLimit from '@fastify/rate-limit'
import apiKeyRoutes from './api-keys.ts'
import cardRoutes from './cards.ts'
import bundleRoutes from './bundles.ts'
import userRoutes from './users.ts'
import configRoutes from './config.ts'
import conversationRoutes from './conversations.ts'
import emotionRoutes from './emotions.ts'
import memoryRoutes from './memories.ts'
import memoryEditRoutes from './memory-edit.ts'
import maintenanceRoutes from './memory-maintenance.ts'
import personaRoutes from './personas.ts'
import { loadMissing } from '../../src/personas/prefetch.ts'
import relationshipRoutes from './relationships.ts'
import sessionRoutes from './sessions.ts'
import systemRoutes from './system.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** an admin route that any API key may call (only reads of what every user may see) */
    clientReadable?: boolean
  }
}

/** The admin REST API under /admin/v1 (encapsulated: its error handler applies to its routes only). */
const admin: FastifyPluginAsync = async (app) => {
  // every admin route needs the admin scope, whatever its own options say, but for the few reads a client
  // key may make too, which say so with `clientReadable` (a persona's avatar)
  app.addHook('onRoute', (route) => { route.config = { ...route.config, access: route.config?.clientReadable === true ? 'client' : 'admin' } })
  app.addSchema(ErrorBody)
  if (app.cluster.scope === 'many') {
    // a persona created on another instance a moment ago is found here too (src/personas/prefetch.ts)
    app.addHook('preHandler', async (request) => {
      const { params, query } = request as { params: Record<string, unknown>, query: Record<string, unknown> }
      const onPersona = request.routeOptions.url?.startsWith(`${app.prefix}/personas/:id`) === true
      await loadMissing(app.personas, [onPersona ? params.id : undefined, params.persona1, params.persona2, query.persona_id])
    })
  }
  const { rateLimits } = app.config
  if (rateLimits.enabled) {
    // per client address; answered 429 with retry-after before any route work
    await app.register(rateLimit, { max: rateLimits.rest.max, timeWindow: rateLimits.rest.windowSeconds * 1000 })
  }
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const mapped = httpErrorFor(err)
    if (mapped) return reply.send(mapped)
    if (err.validation || (err.statusCode !== undefined && err.statusCode < 500)) return reply.send(err)
    request.log.error({ err }, 'admin request failed')
    return reply.code(500).send({ statusCode: 500, code: 'INTERNAL', error: 'Internal Server Error', message: 'Internal error' })
  })
  await app.register(personaRoutes)
  await app.register(cardRoutes)
  await app.register(bundleRoutes)
  await app.register(userRoutes)
  await app.register(emotionRoutes)
  await app.register(sessionRoutes)
  await app.register(conversationRoutes)
  await app.register(memoryRoutes)
  await app.register(memoryEditRoutes)
  await app.register(maintenanceRoutes)
  await app.register(relationshipRoutes)
  await app.register(configRoutes)
  await app.register(systemRoutes)
  await app.register(apiKeyRoutes)
}

export default admin
