import { Type, type TSchema } from '@sinclair/typebox'

// Wire shapes of the server as a whole: liveness, readiness, system.status and the admin status.

const Time = Type.String({ format: 'date-time' })

export const ComponentState = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('degraded'), Type.Literal('disabled')]),
  detail: Type.Optional(Type.String()),
})
export const Components = Type.Record(Type.String(), ComponentState, { description: 'by component: database, vector, llm' })

export const Liveness = Type.Object({ status: Type.Literal('healthy'), server: Type.String(), version: Type.String() })
export const Readiness = Type.Object({ ready: Type.Boolean(), components: Components })

export const Pong = Type.Object({ pong: Type.Literal(true), timestamp: Time })

/** What system.status and the admin status route both report (serverStatus). */
export const ServerStatusFields = {
  system_status: Type.Union([Type.Literal('operational'), Type.Literal('degraded')], { description: 'degraded: a required component is down' }),
  version: Type.String(),
  uptime_seconds: Type.Number(),
  connections: Type.Integer({ description: 'open connections (WebSocket, MCP sessions)' }),
  requests_total: Type.Integer({ description: 'JSON-RPC requests since start' }),
  llm_available: Type.Boolean({ description: 'false while replies are canned fallbacks' }),
  total_personas: Type.Integer(),
  available_personas: Type.Integer(),
  active_conversations: Type.Integer({ description: 'persona-to-persona conversations under way' }),
  components: Components,
  timestamp: Time,
}

export const SystemStatus = Type.Object({
  ...ServerStatusFields,
  current_persona: Type.Union([Type.String(), Type.Null()]),
  current_conversation: Type.Union([Type.String(), Type.Null()]),
})

/** The admin API's status: the shared fields plus what operators watch (the vector index's shape is memory's). */
export const adminSystemStatusSchema = <V extends TSchema>(vectorIndex: V) => Type.Object({
  ...ServerStatusFields,
  connections_total: Type.Integer({ description: 'connections since start' }),
  attached_sessions: Type.Integer({ description: 'sessions a connection holds now' }),
  memory: Type.Object({ embedder: Type.String(), vector_index: vectorIndex }),
  memory_rss_bytes: Type.Integer({ description: 'resident set size of the process' }),
})
