import fp from 'fastify-plugin'
import createError from '@fastify/error'
import { accessForRoute, isLoopback, originAllowed, type Access } from '../src/auth/access.ts'
import { presentedKey } from '../src/auth/keys.ts'
import { createAuthService, type AuthService } from '../src/auth/service.ts'
import type { UserIdentity } from '../src/rpc/caller.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** who is calling: set by the authentication hook before any route runs (also for WebSocket upgrades) */
    user: UserIdentity
  }
  interface FastifyInstance {
    auth: AuthService
  }
  interface FastifyContextConfig {
    /** who may call the route: declared with it, or given at registration from its URL pattern (see below) */
    access?: Access
  }
}

export const ANONYMOUS: UserIdentity = Object.freeze({ id: 'anonymous', scope: 'admin' })

const UnauthorizedError = createError('UNAUTHORIZED', 'A valid API key is required: Authorization: Bearer <key>, X-API-Key, ?api_key=<key>, or the WebSocket subprotocol apikey.<key>', 401)
const ForbiddenError = createError('FORBIDDEN', 'This needs an API key with the admin scope', 403)
const OriginError = createError('ORIGIN_NOT_ALLOWED', 'Origin %s may not use this API (server.allowedOrigins)', 403)

/**
 * Identifies the caller of every request from its API key. With no keys at all the server is open,
 * which it only allows on a loopback address unless auth.allowAnonymous says otherwise.
 */
export default fp(async (app) => {
  const { config } = app
  const auth = await createAuthService({ repository: app.store.apiKeys, configured: config.auth.apiKeys, announce: app.invalidation.announcer('apiKey') })
  app.invalidation.on('apiKey', (ids) => auth.forgetKeys(ids))
  app.invalidation.on('user', async (ids) => { for (const id of ids) await auth.forgetUser(id) })
  app.invalidation.onResync(() => auth.forgetAll())
  app.decorate('auth', auth)
  app.decorateRequest('user', null as unknown as UserIdentity)

  if (!auth.enabled()) {
    if (!isLoopback(config.server.host) && !config.auth.allowAnonymous) {
      app.log.fatal({ host: config.server.host }, 'refusing to serve without API keys on a non-loopback address: set API_KEYS, or auth.allowAnonymous in config.json')
      throw new Error(`no API keys configured and host ${config.server.host} is not loopback`)
    }
    app.log.warn({ host: config.server.host }, 'no API keys configured: every client is the anonymous admin (fine on loopback only)')
  }

  // every route carries its access from registration on, so the hook decides from what the router matched,
  // never from the request's text (`/%61dmin/...` and `/admin/...` are one route, with one access)
  app.addHook('onRoute', (route) => {
    if (route.config?.access === undefined) route.config = { ...route.config, access: accessForRoute(route.url) }
  })

  // a refused WebSocket upgrade: its socket left Node's HTTP bookkeeping at the upgrade, so nothing
  // else would ever close it (and shutdown would wait for it forever)
  app.addHook('onResponse', async (request, reply) => {
    if (request.headers.upgrade !== undefined && reply.statusCode >= 400) request.raw.socket?.destroy()
  })

  app.addHook('onRequest', async (request, reply) => {
    // a request no route matched needs a key like any other, so a 404 tells no stranger which paths exist
    const access: Access = request.routeOptions.config.access ?? 'client'
    if (request.routeOptions.url === '/mcp' && !originAllowed(request.headers.origin, config.server.allowedOrigins, request.raw.socket?.localPort)) {
      return reply.send(new OriginError(request.headers.origin))
    }
    if (access === 'public' || !auth.enabled()) {
      request.user = ANONYMOUS
      return
    }
    const secret = presentedKey({
      authorization: request.headers.authorization,
      apiKeyHeader: request.headers['x-api-key'],
      query: request.query,
      protocols: request.headers['sec-websocket-protocol'],
    })
    const user = await auth.identify(secret)
    if (!user) return reply.header('www-authenticate', 'Bearer').send(new UnauthorizedError())
    if (access === 'admin' && user.scope !== 'admin') return reply.send(new ForbiddenError())
    request.user = user
  })
}, { name: 'auth', dependencies: ['config', 'db'] })
