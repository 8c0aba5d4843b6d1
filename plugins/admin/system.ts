import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { serverStatus } from '../../src/system/status.ts'
import { rpcResultSchema } from './common.ts'

const StatusFields = {
  system_status: Type.Union([Type.Literal('operational'), Type.Literal('degraded')], { description: 'degraded: a required component is down' }),
  version: Type.String(),
  uptime_seconds: Type.Number(),
  connections: Type.Integer({ description: 'open WebSocket connections' }),
  connections_total: Type.Integer({ description: 'connections since start' }),
  requests_total: Type.Integer({ description: 'JSON-RPC requests since start' }),
  attached_sessions: Type.Integer({ description: 'sessions a connection holds now' }),
  llm_available: Type.Boolean({ description: 'false while replies are canned fallbacks' }),
  total_personas: Type.Integer(),
  available_personas: Type.Integer(),
  active_conversations: Type.Integer({ description: 'persona-to-persona conversations under way' }),
  memory: Type.Object({ embedder: Type.String(), vector_index: Type.Record(Type.String(), Type.Unknown()) }),
  memory_rss_bytes: Type.Integer({ description: 'resident set size of the process' }),
  timestamp: Type.String({ format: 'date-time' }),
}

/** /admin/v1/system: the server as a whole (system.status without a connection of its own). */
const systemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { runtime, health, personas, sessions, memory } = app
  // the components as system.status declares them
  const Status = Type.Object({ ...StatusFields, components: rpcResultSchema(app.rpc.registry, 'system.status', 'components') })

  app.get('/system/status', {
    schema: { tags: ['system'], summary: 'Server status: uptime, load, personas, memory index and the state of every component', response: { 200: Status } },
  }, async () => ({
    ...await serverStatus({ stats: runtime, health, personas }),
    connections_total: runtime.connectionsTotal,
    attached_sessions: sessions.activeCount(),
    memory: { embedder: memory.embedderId, vector_index: { ...memory.indexStatus() } },
    memory_rss_bytes: process.memoryUsage.rss(),
  }))
}

export default systemRoutes
