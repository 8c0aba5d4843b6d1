import { Type } from '@sinclair/typebox'
import { defineMethod } from '../rpc/method.ts'
import type { PersonaService } from '../personas/service.ts'
import type { HealthChecks } from './health.ts'
import type { RuntimeStats } from './stats.ts'
import { serverStatus } from './status.ts'

export interface SystemMethodDeps {
  stats: RuntimeStats
  health: HealthChecks
  personas: PersonaService
}

const ComponentState = Type.Object({ status: Type.String(), detail: Type.Optional(Type.String()) })

export function createSystemMethods ({ stats, health, personas }: SystemMethodDeps) {
  return [
    defineMethod({
      name: 'ping',
      description: 'A liveness check over the socket (documented by the earlier server, never registered there).',
      readOnly: true,
      params: Type.Object({}),
      result: Type.Object({ pong: Type.Literal(true), timestamp: Type.String({ format: 'date-time' }) }),
      handler: () => ({ pong: true as const, timestamp: new Date().toISOString() }),
    }),
    defineMethod({
      name: 'system.status',
      description: 'Server status: uptime, connections, requests, personas, and the state of the database, vector index and LLM.',
      readOnly: true,
      params: Type.Object({}),
      result: Type.Object({
        system_status: Type.Union([Type.Literal('operational'), Type.Literal('degraded')]),
        version: Type.String(),
        uptime_seconds: Type.Number(),
        connections: Type.Integer(),
        requests_total: Type.Integer(),
        llm_available: Type.Boolean(),
        total_personas: Type.Integer(),
        available_personas: Type.Integer(),
        active_conversations: Type.Integer(),
        current_persona: Type.Union([Type.String(), Type.Null()]),
        current_conversation: Type.Union([Type.String(), Type.Null()]),
        components: Type.Record(Type.String(), ComponentState),
        timestamp: Type.String({ format: 'date-time' }),
      }),
      handler: async (_params, { connection }) => {
        const { session } = connection
        return {
          ...await serverStatus({ stats, health, personas }),
          current_persona: session.personaId !== null && personas.find(session.personaId) ? session.personaId : null,
          current_conversation: session.conversationId,
        }
      },
    }),
  ]
}
