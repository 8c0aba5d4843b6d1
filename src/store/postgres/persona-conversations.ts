import { randomUUID } from 'node:crypto'
import type { PersonaConversationRepository } from '../../conversation/repository.ts'
import { appendTurnSql, assertTurnStored, CONVERSATION_COLUMNS, messagesJson, toConversation, type ConversationRow } from './conversation-rows.ts'
import type { PostgresDatabase } from './database.ts'

/** Persona-to-persona conversations (kind 'persona'): their rows, turns and the lists MCP completes from. */
export function createPostgresPersonaConversationRepository ({ pool }: PostgresDatabase): PersonaConversationRepository {
  return {
    async createPersonaConversation ({ persona1Id, persona2Id, userId, topic, tokenBudget }, at) {
      const { rows } = await pool.query<ConversationRow>({
        name: 'persona-conversation-create',
        text: `INSERT INTO "Conversation" (id, kind, "userId", "personaId", "otherPersonaId", topic, "tokenBudget", "startedAt", "lastActivityAt")
          VALUES ($1, 'persona', $2, $3, $4, $5, $6, $7::timestamp, $7::timestamp) RETURNING ${CONVERSATION_COLUMNS}`,
        values: [randomUUID(), userId, persona1Id, persona2Id, topic, tokenBudget, at.toISOString()],
      })
      if (!rows[0]) throw new Error('persona conversation was not stored')
      return toConversation(rows[0])
    },
    async appendPersonaTurn (conversationId, message, { at, turnCount, tokens, seconds, continueScore }) {
      const { rowCount } = await pool.query({
        name: 'persona-conversation-append-turn',
        text: appendTurnSql(', "durationSeconds" = "durationSeconds" + $6, "continueScore" = $7'),
        values: [conversationId, turnCount, tokens, at.toISOString(), messagesJson([randomUUID()], [message]), seconds, continueScore],
      })
      assertTurnStored(conversationId, rowCount, 1)
    },
    async endPersonaConversation (conversationId, reason, at) {
      await pool.query({
        name: 'persona-conversation-end',
        text: `UPDATE "Conversation" SET status = 'ended', "endReason" = $2, "endedAt" = $3::timestamp WHERE id = $1`,
        values: [conversationId, reason, at.toISOString()],
      })
    },
    // an absent user is a NULL parameter: every user's
    async activePersonaConversationIds (userId) {
      const { rows } = await pool.query<{ id: string }>({
        name: 'persona-conversations-active',
        text: `SELECT id FROM "Conversation" WHERE kind = 'persona' AND status = 'active' AND ($1::text IS NULL OR "userId" = $1)`,
        values: [userId ?? null],
      })
      return rows.map((r) => r.id)
    },
    async recentPersonaConversationIds (userId, limit) {
      const { rows } = await pool.query<{ id: string }>({
        name: 'persona-conversations-recent',
        text: `SELECT id FROM "Conversation" WHERE kind = 'persona' AND ($1::text IS NULL OR "userId" = $1) ORDER BY "startedAt" DESC LIMIT $2`,
        values: [userId, limit],
      })
      return rows.map((r) => r.id)
    },
    async recentPersonaTopics (personaId, userId, limit) {
      // a few times more rows than topics asked for: repeats are dropped
      const { rows } = await pool.query<{ topic: string | null }>({
        name: 'persona-conversations-topics',
        text: `SELECT topic FROM "Conversation" WHERE kind = 'persona' AND ("personaId" = $1 OR "otherPersonaId" = $1)
          AND ($2::text IS NULL OR "userId" = $2) ORDER BY "startedAt" DESC LIMIT $3`,
        values: [personaId, userId, limit * 3],
      })
      const topics = rows.map((r) => r.topic).filter((t): t is string => Boolean(t))
      return [...new Set(topics)].slice(0, limit)
    },
  }
}
