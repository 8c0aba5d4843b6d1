import { Type } from '@sinclair/typebox'
import { defineMethod } from '../rpc/method.ts'
import type { PersonaService } from '../personas/service.ts'
import type { SessionService } from './service.ts'
import type { SessionState } from './types.ts'

export interface SessionMethodDeps {
  sessions: SessionService
  personas: PersonaService
}

const PersonaRefView = Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()])

export function createSessionMethods ({ sessions, personas }: SessionMethodDeps) {
  const personaRef = (session: SessionState) => {
    const persona = session.personaId === null ? undefined : personas.find(session.personaId)
    return persona ? { id: persona.id, name: persona.name } : null
  }

  return [
    defineMethod({
      name: 'session.get_info',
      description: 'This connection\'s session: its id (keep it to resume after reconnecting), user and current persona.',
      readOnly: true,
      params: Type.Object({}),
      result: Type.Object({
        session_id: Type.String(),
        user_id: Type.String(),
        connection_id: Type.String(),
        current_persona: PersonaRefView,
        created_at: Type.String({ format: 'date-time' }),
        last_activity: Type.String({ format: 'date-time' }),
      }),
      handler: async (_params, { connection }) => {
        const { session } = connection
        const row = await sessions.info(session)
        return {
          session_id: session.id,
          user_id: session.userId,
          connection_id: connection.id,
          current_persona: personaRef(session),
          created_at: row.createdAt.toISOString(),
          last_activity: row.lastActivityAt.toISOString(),
        }
      },
    }),
    defineMethod({
      name: 'session.clear',
      destructive: true,
      idempotent: true,
      description: 'Forget this session\'s current persona.',
      params: Type.Object({}),
      result: Type.Object({ session_id: Type.String(), cleared: Type.Literal(true) }),
      handler: async (_params, { connection }) => {
        await sessions.setPersona(connection.session, null)
        return { session_id: connection.session.id, cleared: true as const }
      },
    }),
    defineMethod({
      name: 'session.resume',
      idempotent: true,
      description: 'Take back a session of yours after reconnecting (its current persona and conversations).',
      params: Type.Object({ session_id: Type.String({ minLength: 1, maxLength: 64 }) }),
      result: Type.Object({ session_id: Type.String(), resumed: Type.Literal(true), current_persona: PersonaRefView }),
      handler: async ({ session_id }, { connection }) => {
        connection.session = await sessions.resume(session_id, connection.user, connection.session, connection.id)
        return { session_id: connection.session.id, resumed: true as const, current_persona: personaRef(connection.session) }
      },
    }),
  ]
}
