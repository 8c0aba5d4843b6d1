import { Type } from '@sinclair/typebox'
import { defineMethod } from '../rpc/method.ts'
import { currentPersona, SessionCleared, SessionInfo, SessionResumed, type PersonaLookup } from './schemas.ts'
import type { SessionService } from './service.ts'

export interface SessionMethodDeps {
  sessions: SessionService
  personas: PersonaLookup
}

export function createSessionMethods ({ sessions, personas }: SessionMethodDeps) {
  return [
    defineMethod({
      name: 'session.get_info',
      description: 'This connection\'s session: its id (keep it to resume after reconnecting), user and current persona.',
      readOnly: true,
      params: Type.Object({}),
      result: SessionInfo,
      handler: (_params, { connection }) => {
        const { session } = connection
        const view = ({ createdAt, lastActivityAt }: { createdAt: Date, lastActivityAt: Date }) => ({
          session_id: session.id,
          user_id: session.userId,
          connection_id: connection.id,
          current_persona: currentPersona(personas, session.personaId),
          created_at: createdAt.toISOString(),
          last_activity: lastActivityAt.toISOString(),
        })
        const times = sessions.info(session)
        return times instanceof Promise ? times.then(view) : view(times)
      },
    }),
    defineMethod({
      name: 'session.clear',
      destructive: true,
      idempotent: true,
      description: 'Forget this session\'s current persona.',
      params: Type.Object({}),
      result: SessionCleared,
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
      result: SessionResumed,
      handler: async ({ session_id }, { connection }) => {
        connection.session = await sessions.resume(session_id, connection.user, connection.session, connection.id)
        return { session_id: connection.session.id, resumed: true as const, current_persona: currentPersona(personas, connection.session.personaId) }
      },
    }),
  ]
}
