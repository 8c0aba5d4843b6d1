import { Type } from '@sinclair/typebox'
import type { PrismaClient } from '../generated/prisma/client.ts'
import type { PersonaService } from '../personas/service.ts'
import { defineMethod } from '../rpc/method.ts'
import type { SessionService } from './service.ts'

interface Snapshot {
  current_persona_id: string | null
  current_conversation_id: string | null
  active_conversation_ids: string[]
  timestamp: string
}

const Nullable = Type.Union([Type.String(), Type.Null()])

/** state.save / state.load: a session's state written to the database and read back (the earlier server only pretended). */
export function createSnapshotMethods ({ prisma, sessions, personas }: { prisma: PrismaClient, sessions: SessionService, personas: PersonaService }) {
  return [
    defineMethod({
      name: 'state.save',
      description: 'Save this session\'s state (current persona, current and active conversations); state.load brings it back, also after a restart.',
      params: Type.Object({}),
      result: Type.Object({
        state_saved: Type.Literal(true),
        state: Type.Object({ current_persona_id: Nullable, current_conversation_id: Nullable, active_conversations: Type.Integer(), active_conversation_ids: Type.Array(Type.String()), timestamp: Type.String({ format: 'date-time' }) }),
      }),
      handler: async (_p, { connection }) => {
        const { session } = connection
        const active = await prisma.conversation.findMany({ where: { kind: 'persona', status: 'active', userId: session.userId }, select: { id: true } })
        const snapshot: Snapshot = {
          current_persona_id: session.personaId,
          current_conversation_id: session.conversationId,
          active_conversation_ids: active.map((c) => c.id),
          timestamp: new Date().toISOString(),
        }
        await sessions.persist(session)
        await prisma.session.update({ where: { id: session.id }, data: { snapshot: { ...snapshot } } })
        return { state_saved: true as const, state: { ...snapshot, active_conversations: snapshot.active_conversation_ids.length } }
      },
    }),
    defineMethod({
      name: 'state.load',
      idempotent: true,
      description: 'Restore the state this session saved last (a persona deleted since is left out).',
      params: Type.Object({}),
      result: Type.Object({ state_loaded: Type.Boolean(), current_persona_id: Nullable, current_conversation_id: Nullable, saved_at: Type.Optional(Type.String()), message: Type.Optional(Type.String()) }),
      handler: async (_p, { connection }) => {
        const { session } = connection
        const row = await prisma.session.findUnique({ where: { id: session.id }, select: { snapshot: true } })
        const snapshot = row?.snapshot as Snapshot | null | undefined
        if (!snapshot) {
          return { state_loaded: false, current_persona_id: session.personaId, current_conversation_id: session.conversationId, message: 'No saved state for this session' }
        }
        const persona = snapshot.current_persona_id === null ? undefined : personas.find(snapshot.current_persona_id)
        await sessions.setPersona(session, persona?.id ?? null)
        session.conversationId = snapshot.current_conversation_id
        return { state_loaded: true, current_persona_id: session.personaId, current_conversation_id: session.conversationId, saved_at: snapshot.timestamp }
      },
    }),
  ]
}
