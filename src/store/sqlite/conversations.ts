import type { ConversationAdminRepository, ConversationRepository } from '../../conversation/repository.ts'
import { CONVERSATION_COLUMNS, MESSAGE_COLUMNS, toConversation, toMessage, type ConversationRow, type MessageRow } from './conversation-rows.ts'
import type { SqliteDatabase } from './database.ts'
import { createSqlitePersonaConversationRepository } from './persona-conversations.ts'
import { createSqliteThreadRepository } from './threads.ts'

// an absent filter is a NULL parameter, so each statement is prepared once
const WHERE = `(@kind IS NULL OR kind = @kind)
  AND (@userId IS NULL OR userId = @userId)
  AND (@sessionId IS NULL OR sessionId = @sessionId)
  AND (@personaId IS NULL OR personaId = @personaId OR otherPersonaId = @personaId)`

/** The operator's views of conversations: lists, transcripts, deletion. */
function createSqliteConversationAdmin ({ sqlite }: SqliteDatabase): ConversationAdminRepository {
  const page = sqlite.prepare<[Record<string, unknown>], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM Conversation WHERE ${WHERE}
    ORDER BY lastActivityAt DESC, id ASC LIMIT @limit OFFSET @offset`)
  const count = sqlite.prepare<[Record<string, unknown>], number>(`SELECT COUNT(*) FROM Conversation WHERE ${WHERE}`).pluck()
  const messages = sqlite.prepare<[string, number, number], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM Message WHERE conversationId = ?
    ORDER BY turnNumber ASC, createdAt ASC, role DESC LIMIT ? OFFSET ?`)
  const messageCount = sqlite.prepare<[string], number>('SELECT COUNT(*) FROM Message WHERE conversationId = ?').pluck()
  const deleteConversation = sqlite.prepare('DELETE FROM Conversation WHERE id = ?')
  // its messages go with it (ON DELETE CASCADE)
  const remove = sqlite.transaction((id: string) => {
    const removed = messageCount.get(id) ?? 0
    deleteConversation.run(id)
    return removed
  })

  return {
    async listConversations ({ kind, personaId, userId, sessionId, limit, offset }) {
      const params = { kind: kind ?? null, personaId: personaId ?? null, userId: userId ?? null, sessionId: sessionId ?? null }
      return { items: page.all({ ...params, limit, offset }).map(toConversation), total: count.get(params) ?? 0 }
    },
    async messagePage (conversationId, { limit, offset }) {
      return { items: messages.all(conversationId, limit, offset).map(toMessage), total: messageCount.get(conversationId) ?? 0 }
    },
    async deleteConversation (conversationId) { return remove(conversationId) },
  }
}

/** Conversations and their messages, both kinds, on one SQLite database. */
export function createSqliteConversationRepository (db: SqliteDatabase): ConversationRepository {
  return { ...createSqliteThreadRepository(db), ...createSqlitePersonaConversationRepository(db), ...createSqliteConversationAdmin(db) }
}
