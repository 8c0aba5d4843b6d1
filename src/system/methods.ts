import { Type } from '@sinclair/typebox'
import { defineMethod } from '../rpc/method.ts'
import type { PersonaService } from '../personas/service.ts'
import type { HealthChecks } from './health.ts'
import { Pong, SystemStatus } from './schemas.ts'
import type { RuntimeStats } from './stats.ts'
import { serverStatus } from './status.ts'

export interface SystemMethodDeps {
  stats: RuntimeStats
  health: HealthChecks
  personas: PersonaService
}

export function createSystemMethods ({ stats, health, personas }: SystemMethodDeps) {
  return [
    defineMethod({
      name: 'ping',
      description: 'A liveness check over the socket (documented by the earlier server, never registered there).',
      readOnly: true,
      params: Type.Object({}),
      result: Pong,
      handler: () => ({ pong: true as const, timestamp: new Date().toISOString() }),
    }),
    defineMethod({
      name: 'system.status',
      description: 'Server status: uptime, connections, requests, personas, and the state of the database, vector index and LLM.',
      readOnly: true,
      params: Type.Object({}),
      result: SystemStatus,
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
