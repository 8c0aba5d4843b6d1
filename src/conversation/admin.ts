import type { Static } from '@sinclair/typebox'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { ConversationAdminRepository, ConversationKind, ThreadRepository } from './repository.ts'
import { conversationView, transcriptEntry, type ConversationDeleted, type ConversationView, type MessageView } from './schemas.ts'
import type { ThreadStore } from './threads.ts'

export interface ConversationAdminDeps {
  repository: ConversationAdminRepository & Pick<ThreadRepository, 'findConversation'>
  threads: ThreadStore
  /** resolves an id or name, or throws not found (PersonaService) */
  personas: { get (idOrName: string): { id: string } }
}

export interface ConversationListQuery {
  limit: number
  offset: number
  kind?: ConversationKind
  persona_id?: string
  user_id?: string
  session_id?: string
}

type Page<T> = { items: T[], total: number, limit: number, offset: number }

/** The operator's conversations (/admin/v1/conversations): every user's threads and the persona-to-persona ones. */
export function createConversationAdmin ({ repository, threads, personas }: ConversationAdminDeps) {
  const find = async (id: string) => {
    const row = await repository.findConversation(id)
    if (!row) throw domainError(ErrorCode.ConversationNotFound, `Conversation not found: ${id}`, { conversation_id: id })
    return row
  }

  return {
    async list ({ limit, offset, kind, persona_id, user_id, session_id }: ConversationListQuery): Promise<Page<Static<typeof ConversationView>>> {
      const personaId = persona_id === undefined ? undefined : personas.get(persona_id).id
      const { items, total } = await repository.listConversations({ kind, personaId, userId: user_id, sessionId: session_id, limit, offset })
      return { items: items.map(conversationView), total, limit, offset }
    },

    get: async (id: string): Promise<Static<typeof ConversationView>> => conversationView(await find(id)),

    /** The transcript, oldest first; turns folded into the summary are still listed. */
    async messages (id: string, page: { limit: number, offset: number }): Promise<Page<Static<typeof MessageView>>> {
      const { id: conversationId } = await find(id)
      const { items, total } = await repository.messagePage(conversationId, page)
      return { items: items.map((m) => ({ ...transcriptEntry(m), speaker_id: m.speakerId })), total, ...page }
    },

    /** Deletes a conversation and its transcript; an active persona-to-persona one is refused (end it first). */
    async delete (id: string): Promise<Static<typeof ConversationDeleted>> {
      const row = await find(id)
      if (row.kind === 'persona' && row.status === 'active') {
        // the engine holds it in memory and would write its next turn into a deleted row
        throw domainError(ErrorCode.Conflict, `Conversation ${row.id} is still active; end it first`, { conversation_id: row.id })
      }
      const removed = await repository.deleteConversation(row.id)
      // a user thread is cached per session: the next chat starts a fresh thread instead of writing to this one
      if (row.sessionId !== null) threads.forgetSessions(new Set([row.sessionId]))
      return { id: row.id, deleted: true as const, messages_removed: removed }
    },
  }
}

export type ConversationAdmin = ReturnType<typeof createConversationAdmin>
