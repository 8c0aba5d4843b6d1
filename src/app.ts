import { readFileSync } from 'node:fs'
import fp from 'fastify-plugin'
import Fastify, { LogController, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { AppConfig } from './config/index.ts'
import configPlugin from '../plugins/config.ts'
import dbPlugin from '../plugins/db.ts'
import authPlugin from '../plugins/auth.ts'
import requestGuardPlugin from '../plugins/request-guard.ts'
import rpcPlugin from '../plugins/rpc.ts'
import eventsPlugin from '../plugins/events.ts'
import schedulerPlugin from '../plugins/scheduler.ts'
import sessionsPlugin from '../plugins/sessions.ts'
import personaPlugin from '../plugins/persona.ts'
import systemPlugin from '../plugins/system.ts'
import llmPlugin from '../plugins/llm.ts'
import conversationPlugin from '../plugins/conversation.ts'
import vectorPlugin from '../plugins/vector.ts'
import memoryPlugin from '../plugins/memory.ts'
import cardsPlugin from '../plugins/cards.ts'
import usersPlugin from '../plugins/users.ts'
import relationshipPlugin from '../plugins/relationship.ts'
import bundlesPlugin from '../plugins/bundles.ts'
import swaggerPlugin from '../plugins/swagger.ts'
import websocketRpcPlugin from '../plugins/websocket-rpc.ts'
import mcpPlugin from '../plugins/mcp.ts'
import heartbeatPlugin from '../plugins/heartbeat.ts'
import metricsPlugin from '../plugins/metrics.ts'
import adminRoutes from '../plugins/admin/index.ts'
import { deferredSchemaCompilers } from '../plugins/schema-compilers.ts'
import consolePlugin from '../plugins/console.ts'

export interface AppOptions {
  config: Readonly<AppConfig>
  /** check every RPC result against its declared schema (tests) */
  validateResults?: boolean
}

/** The whole server as one Fastify plugin: the services, then the faces that expose them. */
export const app = fp<AppOptions>(async (fastify, { config, validateResults }) => {
  await fastify.register(configPlugin, { config })
  // the Host and canonical-path checks are the first hook of every request; auth comes before any route
  // is registered, so its onRoute rule gives each one (the documentation's too) its access
  await fastify.register(requestGuardPlugin)
  await fastify.register(dbPlugin)
  await fastify.register(authPlugin)
  await fastify.register(swaggerPlugin)
  await fastify.register(schedulerPlugin)
  await fastify.register(rpcPlugin, { validateResults })
  await fastify.register(eventsPlugin)
  await fastify.register(sessionsPlugin)
  await fastify.register(personaPlugin)
  await fastify.register(systemPlugin)
  await fastify.register(llmPlugin)
  await fastify.register(conversationPlugin)
  await fastify.register(vectorPlugin)
  await fastify.register(memoryPlugin)
  await fastify.register(cardsPlugin)
  await fastify.register(usersPlugin)
  await fastify.register(relationshipPlugin)
  await fastify.register(bundlesPlugin)
  await fastify.register(websocketRpcPlugin)
  await fastify.register(mcpPlugin)
  await fastify.register(heartbeatPlugin)
  await fastify.register(metricsPlugin)
  await fastify.register(adminRoutes, { prefix: '/admin/v1' })
  await fastify.register(consolePlugin)
}, { name: 'persona-mcp-app' })

export type BuildOptions = Omit<AppOptions, 'config'> & Pick<FastifyServerOptions, 'logger' | 'forceCloseConnections'>

/** A ready-to-listen Fastify instance for this config (server.ts and the tests use it). */
export async function buildApp (config: Readonly<AppConfig>, options: BuildOptions = {}) {
  const { logger, forceCloseConnections, ...appOptions } = options
  const { tls } = config.server
  const fastify = Fastify({
    // with server.tls the same port serves https and wss
    ...(tls ? { https: { cert: readFileSync(tls.cert), key: readFileSync(tls.key) } } : {}),
    logger: logger ?? { level: config.server.logLevel },
    forceCloseConnections: forceCloseConnections ?? 'idle',
    bodyLimit: config.server.maxFrameBytes,
    // Fastify times each close step with this too: the preClose hooks take up to the grace period plus the
    // close handshakes (about 2 s), which the default 10 s would cut short with "Plugin did not start in time"
    pluginTimeout: Math.max(10_000, config.server.shutdownGraceMs + 5_000),
    // one spelling per route: a case or slash variant matches nothing (the request guard refuses encoded
    // letters, // and dot segments before any route acts), so no second name reaches a route
    routerOptions: { caseSensitive: true, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false },
    logController: new LogController({ disableRequestLogging: !config.server.debug }),
    // each route's validator and serializer compiled on its first request: start-up does not wait for hundreds
    schemaController: { compilersFactory: deferredSchemaCompilers() },
  }).withTypeProvider<TypeBoxTypeProvider>()
  await fastify.register(app, { config, ...appOptions })
  await fastify.ready()
  return fastify
}
