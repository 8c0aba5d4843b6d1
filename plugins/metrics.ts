import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import { createMetrics } from '../src/system/metrics.ts'

/** Prometheus text at /metrics (admin scope when keys are configured). */
export default fp(async (app) => {
  const metrics = createMetrics({ stored: app.store.storedCounts, connections: () => app.runtime.connections, llmLoad: () => app.llm.load(), relay: () => app.eventRelay })
  app.rpc.onCall((method, outcome, seconds) => metrics.call(method, outcome, seconds))
  app.llm.onGenerated((result) => metrics.generated(result.responseType, result.llmMs, result.tokensUsed))
  app.get('/metrics', {
    config: { access: 'admin' },
    schema: { tags: ['system'], summary: 'Prometheus metrics (text exposition format)', produces: ['text/plain'], response: { 200: Type.String() } },
  }, async (_request, reply) => {
    return reply.type(metrics.register.contentType).send(await metrics.register.metrics())
  })
}, { name: 'metrics', dependencies: ['db', 'rpc', 'llm', 'system', 'events'] })
