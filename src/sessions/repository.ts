// What sessions need from a database, named by use. Implementations live in src/store/<database>/sessions.ts.

/** A stored session, as resume and session.get_info read it. */
export interface StoredSession {
  id: string
  userId: string
  currentPersonaId: string | null
  createdAt: Date
  lastActivityAt: Date
}

/** What state.save keeps of a session (field names as state.save returns them). */
export interface SessionSnapshot {
  current_persona_id: string | null
  current_conversation_id: string | null
  active_conversation_ids: string[]
  timestamp: string
}

/** A session as the operator lists it. */
export interface SessionListing extends StoredSession {
  hasSnapshot: boolean
  conversationCount: number
}

/** One of a session's threads, as the operator's session detail lists it. */
export interface SessionThreadRef {
  id: string
  personaId: string
  turnCount: number
  lastActivityAt: Date
}

export interface SessionListFilter {
  userId?: string
  currentPersonaId?: string
  limit: number
  offset: number
}

/** What went with removed sessions: their conversations and the messages of those. */
export interface RemovedTranscripts {
  conversations: number
  messages: number
}

export interface SessionRepository {
  /** Writes the session with its current persona, created if new. */
  save (session: { id: string, userId: string, personaId: string | null }, at: Date): Promise<void>
  setPersona (id: string, personaId: string | null, at: Date): Promise<void>
  touch (id: string, at: Date): Promise<void>
  /** session.get_info and resume: called per request, so cheap */
  findById (id: string): Promise<StoredSession | undefined>
  saveSnapshot (id: string, snapshot: SessionSnapshot): Promise<void>
  findSnapshot (id: string): Promise<SessionSnapshot | undefined>
  /** ids of sessions whose last activity is before `cutoff` */
  idleSince (cutoff: Date): Promise<string[]>
  /** Deletes the sessions with their conversations and messages (memories are not theirs and stay). */
  deleteWithTranscripts (ids: string[]): Promise<RemovedTranscripts>

  /** the operator's list: most recently active first */
  list (filter: SessionListFilter): Promise<{ items: SessionListing[], total: number }>
  findListing (id: string): Promise<SessionListing | undefined>
  /** a session's threads, most recently active first */
  threadsOf (id: string): Promise<SessionThreadRef[]>
}
