import fp from 'fastify-plugin'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createHealthChecks, type HealthChecks } from '../src/system/health.ts'
import { createSystemMethods } from '../src/system/methods.ts'
import { Liveness, Readiness } from '../src/system/schemas.ts'
import { createRuntimeStats, type RuntimeStats } from '../src/system/stats.ts'
import { SERVER_NAME, SERVER_VERSION } from '../src/version.ts'

declare module 'fastify' {
  interface FastifyInstance {
    runtime: RuntimeStats
    health: HealthChecks
  }
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const liveness = { status: 'healthy' as const, server: SERVER_NAME, version: SERVER_VERSION }
  // open to everyone (load balancers, probes): `security: []` overrides the document's global bearerAuth
  const schema = { tags: ['system'], summary: 'Liveness: the process answers', security: [], response: { 200: Liveness } }
  const config = { access: 'public' as const }
  app.get('/health', { config, schema }, async () => liveness)
  // the earlier server answered health on / as well
  app.get('/', { config, schema: { ...schema, hide: true } }, async () => liveness)
  app.get('/ready', {
    config,
    schema: { tags: ['system'], summary: 'Readiness of the database, vector index and LLM', security: [], response: { 200: Readiness, 503: Readiness } },
  }, async (_request, reply) => {
    const report = await app.health.report()
    return reply.code(report.ready ? 200 : 503).send(report)
  })
}

/** Runtime counters, health checks, /health, /ready and system.status. */
export default fp(async (app) => {
  const stats = createRuntimeStats()
  const health = createHealthChecks()
  app.decorate('runtime', stats)
  app.decorate('health', health)
  health.add('database', async () => {
    await app.store.health.ping()
    return { status: 'up' }
  })
  app.rpc.registry.add(...createSystemMethods({ stats, health, personas: app.personas }))
  await app.register(routes)
}, { name: 'system', dependencies: ['db', 'rpc', 'persona'] })
