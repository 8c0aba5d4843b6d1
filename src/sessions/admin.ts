import type { Static } from '@sinclair/typebox'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { SessionListing, SessionRepository } from './repository.ts'
import { currentPersona, type PersonaLookup, type SessionDetail, type SessionExpired, type SessionView } from './schemas.ts'
import type { SessionService } from './service.ts'

export interface SessionAdminDeps {
  repository: SessionRepository
  sessions: SessionService
  /** `get` resolves an id or name, or throws not found (PersonaService) */
  personas: PersonaLookup & { get (idOrName: string): { id: string } }
  /** drops the cached threads of removed sessions (conversation/ keeps them) */
  forgetThreads (sessionIds: Set<string>): void
}

export interface SessionListQuery {
  limit: number
  offset: number
  user_id?: string
  persona_id?: string
}

/**
 * The operator's sessions (/admin/v1/sessions): every user's stored sessions. A session lives only in
 * memory until it carries state or its id was handed out, so brand-new connections are not listed.
 */
export function createSessionAdmin ({ repository, sessions, personas, forgetThreads }: SessionAdminDeps) {
  const view = (row: SessionListing): Static<typeof SessionView> => ({
    id: row.id,
    user_id: row.userId,
    current_persona: currentPersona(personas, row.currentPersonaId),
    attached: sessions.isAttached(row.id),
    has_snapshot: row.hasSnapshot,
    conversation_count: row.conversationCount,
    created_at: row.createdAt.toISOString(),
    last_activity: row.lastActivityAt.toISOString(),
  })
  const find = async (id: string) => {
    const row = await repository.findListing(id)
    if (!row) throw domainError(ErrorCode.SessionNotFound, `Session not found: ${id}`, { session_id: id })
    return row
  }

  return {
    async list ({ limit, offset, user_id, persona_id }: SessionListQuery) {
      const currentPersonaId = persona_id === undefined ? undefined : personas.get(persona_id).id
      const { items, total } = await repository.list({ userId: user_id, currentPersonaId, limit, offset })
      return { items: items.map(view), total, limit, offset }
    },

    async detail (id: string): Promise<Static<typeof SessionDetail>> {
      const row = await find(id)
      const threads = await repository.threadsOf(row.id)
      return {
        ...view(row),
        conversations: threads.map((c) => ({ id: c.id, persona_id: c.personaId, turn_count: c.turnCount, last_activity: c.lastActivityAt.toISOString() })),
      }
    },

    /** Expires a session now, with its transcripts; refused while a connection holds it (the client would lose it mid-use). */
    async expire (id: string): Promise<Static<typeof SessionExpired>> {
      const row = await find(id)
      if (sessions.isAttached(row.id)) {
        throw domainError(ErrorCode.SessionInUse, `Session ${row.id} is held by a connection; it can be expired once that connection closes`, { session_id: row.id })
      }
      const removed = await repository.deleteWithTranscripts([row.id])
      forgetThreads(new Set([row.id]))
      return { id: row.id, expired: true as const, conversations_removed: removed.conversations, messages_removed: removed.messages }
    },
  }
}

export type SessionAdmin = ReturnType<typeof createSessionAdmin>
