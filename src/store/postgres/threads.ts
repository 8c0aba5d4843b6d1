import { randomUUID } from 'node:crypto'
import type { StoredMessage, ThreadRepository } from '../../conversation/repository.ts'
import { appendTurnSql, assertTurnStored, CONVERSATION_COLUMNS, COUNT_MESSAGES, MESSAGE_COLUMNS, messagesJson, toConversation, type ConversationRow } from './conversation-rows.ts'
import type { PostgresDatabase } from './database.ts'
import { inTransaction } from './transaction.ts'

// a message outside any turn: no counter moves, so it is not appendTurnSql (which numbers turns past the stored count)
const INSERT_OPENING = `INSERT INTO "Message" (id, "conversationId", "turnNumber", role, "speakerId", content, tokens, "processingTime", "responseType", "createdAt")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::timestamp)`
const BY_SESSION_PERSONA = `SELECT ${CONVERSATION_COLUMNS} FROM "Conversation" WHERE "sessionId" = $1 AND "personaId" = $2`

/** User threads: prepared statements, since chat turns and conversation.history run them. */
export function createPostgresThreadRepository ({ pool }: PostgresDatabase): ThreadRepository {
  const find = async (sessionId: string, personaId: string) => {
    const { rows } = await pool.query<ConversationRow>({ name: 'thread-by-session-persona', text: BY_SESSION_PERSONA, values: [sessionId, personaId] })
    return rows[0] === undefined ? undefined : toConversation(rows[0])
  }

  return {
    async openThread (sessionId, userId, personaId, at) {
      // a thread another instance opened meanwhile is kept; the SELECT after it (a new snapshot) sees it either way
      await pool.query({
        name: 'thread-open',
        text: `INSERT INTO "Conversation" (id, kind, "sessionId", "userId", "personaId", "startedAt", "lastActivityAt")
          VALUES ($1, 'user', $2, $3, $4, $5::timestamp, $5::timestamp) ON CONFLICT ("sessionId", "personaId") DO NOTHING`,
        values: [randomUUID(), sessionId, userId, personaId, at.toISOString()],
      })
      const thread = await find(sessionId, personaId)
      if (!thread) throw new Error(`thread of session ${sessionId} with persona ${personaId} was not stored`)
      return thread
    },
    async findThread (sessionId, personaId) { return await find(sessionId, personaId) },
    async findConversation (id) {
      const { rows } = await pool.query<ConversationRow>({ name: 'conversation-by-id', text: `SELECT ${CONVERSATION_COLUMNS} FROM "Conversation" WHERE id = $1`, values: [id] })
      return rows[0] === undefined ? undefined : toConversation(rows[0])
    },
    async latestMessages (conversationId, count, beforeTurn = Number.MAX_SAFE_INTEGER) {
      // both messages of a turn share its number and time: the user's comes first ('user' > 'persona'), so last when newest first
      const { rows } = await pool.query<StoredMessage>({
        name: 'conversation-messages-latest',
        text: `SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE "conversationId" = $1 AND "turnNumber" < $2::bigint
          ORDER BY "turnNumber" DESC, role ASC LIMIT $3`,
        values: [conversationId, beforeTurn, count],
      })
      return rows.reverse()
    },
    async countMessages (conversationId) {
      const { rows } = await pool.query<{ n: string }>({ ...COUNT_MESSAGES, values: [conversationId] })
      return Number(rows[0]?.n ?? 0)
    },
    async messagesBetween (conversationId, afterTurn, throughTurn) {
      const { rows } = await pool.query<StoredMessage>({
        name: 'conversation-messages-between',
        text: `SELECT ${MESSAGE_COLUMNS} FROM "Message" WHERE "conversationId" = $1 AND "turnNumber" > $2::bigint AND "turnNumber" <= $3::bigint
          ORDER BY "turnNumber" ASC, role DESC`,
        values: [conversationId, afterTurn, throughTurn],
      })
      return rows
    },
    async appendOpening (conversationId, m) {
      await pool.query({
        name: 'thread-append-opening',
        text: INSERT_OPENING,
        // the ISO text's Z is ignored by a timestamp column: UTC, as Prisma writes it
        values: [randomUUID(), conversationId, m.turnNumber, m.role, m.speakerId, m.content, m.tokens, m.processingTime, m.responseType, m.createdAt.toISOString()],
      })
    },
    async appendTurn (conversationId, messages, { turnCount, tokens, at }) {
      const ids = messages.map(() => randomUUID())
      const { rowCount } = await pool.query({
        name: 'thread-append-turn',
        text: appendTurnSql(),
        values: [conversationId, turnCount, tokens, at.toISOString(), messagesJson(ids, messages)],
      })
      assertTurnStored(conversationId, rowCount, messages.length)
    },
    async saveSummary (conversationId, summary, summarizedTurn) {
      await pool.query({ name: 'thread-save-summary', text: 'UPDATE "Conversation" SET summary = $2, "summarizedTurn" = $3 WHERE id = $1', values: [conversationId, summary, summarizedTurn] })
    },
    async clearThread (conversationId) {
      // the row lock first: a turn another instance is appending lands wholly before the clear or after it
      return await inTransaction(pool, async (c) => {
        await c.query('SELECT 1 FROM "Conversation" WHERE id = $1 FOR UPDATE', [conversationId])
        const { rowCount } = await c.query('DELETE FROM "Message" WHERE "conversationId" = $1', [conversationId])
        await c.query(`UPDATE "Conversation" SET "turnCount" = 0, summary = '', "summarizedTurn" = 0, "tokensUsed" = 0 WHERE id = $1`, [conversationId])
        return rowCount ?? 0
      })
    },
  }
}
