import { Type } from '@sinclair/typebox'

// Wire shapes of sessions, shared by the JSON-RPC methods (session.*, state.*) and the admin API.

const Nullable = Type.Union([Type.String(), Type.Null()])
const DateTime = Type.String({ format: 'date-time' })

/** Looks a persona up by id; PersonaService is one (sessions do not import personas: they import sessions). */
export interface PersonaLookup {
  find (id: string): { id: string, name: string } | undefined
}

/** A session's current persona by id and name; null when it has none (or it was deleted). */
export const CurrentPersona = Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()])

export const currentPersona = (personas: PersonaLookup, personaId: string | null) => {
  const persona = personaId === null ? undefined : personas.find(personaId)
  return persona ? { id: persona.id, name: persona.name } : null
}

export const SessionInfo = Type.Object({
  session_id: Type.String(),
  user_id: Type.String(),
  connection_id: Type.String(),
  current_persona: CurrentPersona,
  created_at: DateTime,
  last_activity: DateTime,
})

export const SessionCleared = Type.Object({ session_id: Type.String(), cleared: Type.Literal(true) })
export const SessionResumed = Type.Object({ session_id: Type.String(), resumed: Type.Literal(true), current_persona: CurrentPersona })

export const SavedState = Type.Object({
  current_persona_id: Nullable,
  current_conversation_id: Nullable,
  active_conversations: Type.Integer(),
  active_conversation_ids: Type.Array(Type.String()),
  timestamp: DateTime,
})
export const StateSaved = Type.Object({ state_saved: Type.Literal(true), state: SavedState })
export const StateLoaded = Type.Object({
  state_loaded: Type.Boolean(),
  current_persona_id: Nullable,
  current_conversation_id: Nullable,
  saved_at: Type.Optional(DateTime),
  message: Type.Optional(Type.String()),
})

/** A stored session as the operator sees it (admin API). */
export const SessionView = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  current_persona: CurrentPersona,
  attached: Type.Boolean({ description: 'a connection holds the session now' }),
  has_snapshot: Type.Boolean({ description: 'state.save stored a snapshot' }),
  conversation_count: Type.Integer(),
  created_at: DateTime,
  last_activity: DateTime,
})

export const SessionDetail = Type.Composite([SessionView, Type.Object({
  conversations: Type.Array(Type.Object({ id: Type.String(), persona_id: Type.String(), turn_count: Type.Integer(), last_activity: DateTime })),
})])

export const SessionExpired = Type.Object({
  id: Type.String(), expired: Type.Literal(true), conversations_removed: Type.Integer(), messages_removed: Type.Integer(),
})
