import type { FastifyError, FastifyPluginAsync } from 'fastify'
import { ErrorBody, httpErrorFor } from './errors.ts'
import personaRoutes from './personas.ts'

/** The admin REST API under /admin/v1 (encapsulated: its error handler applies to its routes only). */
const admin: FastifyPluginAsync = async (app) => {
  app.addSchema(ErrorBody)
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const mapped = httpErrorFor(err)
    if (mapped) return reply.send(mapped)
    if (err.validation || (err.statusCode !== undefined && err.statusCode < 500)) return reply.send(err)
    request.log.error({ err }, 'admin request failed')
    return reply.code(500).send({ statusCode: 500, code: 'INTERNAL', error: 'Internal Server Error', message: 'Internal error' })
  })
  await app.register(personaRoutes)
}

export default admin
