import fp from 'fastify-plugin'
import { createMetrics } from '../src/system/metrics.ts'

/** Prometheus text at /metrics (admin scope when keys are configured). */
export default fp(async (app) => {
  const metrics = createMetrics({ sqlite: app.db.sqlite, connections: () => app.runtime.connections, llmLoad: () => app.llm.load() })
  app.rpc.onCall((method, outcome, seconds) => metrics.call(method, outcome, seconds))
  app.llm.onGenerated((result) => metrics.generated(result.responseType, result.llmMs, result.tokensUsed))
  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics', produces: ['text/plain'] } }, async (_request, reply) => {
    return reply.type(metrics.register.contentType).send(await metrics.register.metrics())
  })
}, { name: 'metrics', dependencies: ['db', 'rpc', 'llm', 'system'] })
