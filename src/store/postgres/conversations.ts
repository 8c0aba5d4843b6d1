import type { ConversationAdminRepository, ConversationRepository, StoredMessage } from '../../conversation/repository.ts'
import { CONVERSATION_COLUMNS, COUNT_MESSAGES, MESSAGE_COLUMNS, toConversation, type ConversationRow } from './conversation-rows.ts'
import type { PostgresDatabase } from './database.ts'
import { createPostgresPersonaConversationRepository } from './persona-conversations.ts'
import { createPostgresThreadRepository } from './threads.ts'
import { inTransaction } from './transaction.ts'

// an absent filter is a NULL parameter, so each statement is prepared once
const WHERE = `($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR "userId" = $2) AND ($3::text IS NULL OR "sessionId" = $3)
  AND ($4::text IS NULL OR "personaId" = $4 OR "otherPersonaId" = $4)`

/** The operator's views of conversations: lists, transcripts, deletion. */
function createPostgresConversationAdmin ({ pool }: PostgresDatabase): ConversationAdminRepository {
  const countMessages = async (conversationId: string) => {
    const { rows } = await pool.query<{ n: string }>({ ...COUNT_MESSAGES, values: [conversationId] })
    return Number(rows[0]?.n ?? 0)
  }

  return {
    async listConversations ({ kind, personaId, userId, sessionId, limit, offset }) {
      const filter = [kind ?? null, userId ?? null, sessionId ?? null, personaId ?? null]
      const [page, count] = await Promise.all([
        // ids in byte order (COLLATE "C"), as SQLite sorts them, whatever the database's collation
        pool.query<ConversationRow>({
          name: 'conversation-list-page',
          text: `SELECT ${CONVERSATION_COLUMNS} FROM "Conversation" WHERE ${WHERE} ORDER BY "lastActivityAt" DESC, id COLLATE "C" ASC LIMIT $5 OFFSET $6`,
          values: [...filter, limit, offset],
        }),
        pool.query<{ n: string }>({ name: 'conversation-list-count', text: `SELECT count(*) AS n FROM "Conversation" WHERE ${WHERE}`, values: filter }),
      ])
      return { items: page.rows.map(toConversation), total: Number(count.rows[0]?.n ?? 0) }
    },
    async messagePage (conversationId, { limit, offset }) {
      const [page, total] = await Promise.all([
        pool.query<StoredMessage>({
          name: 'conversation-messages-page',
          text: `SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE "conversationId" = $1 ORDER BY "turnNumber" ASC, "createdAt" ASC, role DESC LIMIT $2 OFFSET $3`,
          values: [conversationId, limit, offset],
        }),
        countMessages(conversationId),
      ])
      return { items: page.rows, total }
    },
    async deleteConversation (conversationId) {
      // locked first, so a turn appended meanwhile is counted among the messages that went, or refused after
      return await inTransaction(pool, async (c) => {
        await c.query('SELECT 1 FROM "Conversation" WHERE id = $1 FOR UPDATE', [conversationId])
        const { rowCount } = await c.query('DELETE FROM "Message" WHERE "conversationId" = $1', [conversationId])
        await c.query('DELETE FROM "Conversation" WHERE id = $1', [conversationId])
        return rowCount ?? 0
      })
    },
  }
}

/** Conversations and their messages, both kinds, on one PostgreSQL database. */
export function createPostgresConversationRepository (db: PostgresDatabase): ConversationRepository {
  return { ...createPostgresThreadRepository(db), ...createPostgresPersonaConversationRepository(db), ...createPostgresConversationAdmin(db) }
}
