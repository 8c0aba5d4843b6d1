import fp from 'fastify-plugin'
import createError from '@fastify/error'
import { hostAllowed, hostPolicy, nonCanonical } from '../src/auth/request-guard.ts'

const MisdirectedError = createError('HOST_NOT_ALLOWED', 'This server does not answer to Host %s (server.allowedHosts)', 421)
const NonCanonicalPathError = createError('NON_CANONICAL_PATH', 'Request path not in canonical form: %s', 400)

/**
 * The first hook of every request, the WebSocket upgrade and MCP included (registered before any other plugin
 * adds one): a Host the server does not answer to gets 421 and a path not in canonical form 400, before
 * authentication and before any route acts on what the router matched.
 */
export default fp(async (app) => {
  const { server } = app.config
  const policy = hostPolicy(server.host, server.allowedHosts)
  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host
    if (!hostAllowed(host, policy)) return reply.send(new MisdirectedError(JSON.stringify(host ?? '')))
    const refusal = nonCanonical(request.raw.url ?? '')
    if (refusal !== undefined) return reply.send(new NonCanonicalPathError(refusal))
  })
}, { name: 'request-guard', dependencies: ['config'] })
