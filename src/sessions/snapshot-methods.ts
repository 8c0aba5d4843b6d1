import { Type } from '@sinclair/typebox'
import { defineMethod } from '../rpc/method.ts'
import type { SessionSnapshot } from './repository.ts'
import { StateLoaded, StateSaved, type PersonaLookup } from './schemas.ts'
import type { SessionService } from './service.ts'

export interface SnapshotMethodDeps {
  sessions: SessionService
  personas: PersonaLookup
  /** the persona-to-persona conversations of the user still under way (conversation/ keeps them) */
  activeConversationIds (userId: string): Promise<string[]>
}

/** state.save / state.load: a session's state written to the database and read back (the earlier server only pretended). */
export function createSnapshotMethods ({ sessions, personas, activeConversationIds }: SnapshotMethodDeps) {
  return [
    defineMethod({
      name: 'state.save',
      description: 'Save this session\'s state (current persona, current and active conversations); state.load brings it back, also after a restart.',
      params: Type.Object({}),
      result: StateSaved,
      handler: async (_p, { connection }) => {
        const { session } = connection
        const snapshot: SessionSnapshot = {
          current_persona_id: session.personaId,
          current_conversation_id: session.conversationId,
          active_conversation_ids: await activeConversationIds(session.userId),
          timestamp: new Date().toISOString(),
        }
        await sessions.saveSnapshot(session, snapshot)
        return { state_saved: true as const, state: { ...snapshot, active_conversations: snapshot.active_conversation_ids.length } }
      },
    }),
    defineMethod({
      name: 'state.load',
      idempotent: true,
      description: 'Restore the state this session saved last (a persona deleted since is left out).',
      params: Type.Object({}),
      result: StateLoaded,
      handler: async (_p, { connection }) => {
        const { session } = connection
        const snapshot = await sessions.loadSnapshot(session)
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
