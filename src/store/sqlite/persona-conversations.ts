import { randomUUID } from 'node:crypto'
import type { PersonaConversationRepository } from '../../conversation/repository.ts'
import { CONVERSATION_COLUMNS, INSERT_MESSAGE, messageParams, toConversation, type ConversationRow } from './conversation-rows.ts'
import type { SqliteDatabase } from './database.ts'
import { toSqlTime } from './sql-time.ts'

/** Persona-to-persona conversations (kind 'persona'): their rows, turns and the lists MCP completes from. */
export function createSqlitePersonaConversationRepository ({ sqlite }: SqliteDatabase): PersonaConversationRepository {
  const insert = sqlite.prepare(`INSERT INTO Conversation (id, kind, userId, personaId, otherPersonaId, topic, tokenBudget, startedAt, lastActivityAt)
    VALUES (@id, 'persona', @userId, @persona1Id, @persona2Id, @topic, @tokenBudget, @at, @at)`)
  const byId = sqlite.prepare<[string], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM Conversation WHERE id = ?`)
  const insertMessage = sqlite.prepare(INSERT_MESSAGE)
  const updateTotals = sqlite.prepare(`UPDATE Conversation SET turnCount = @turnCount, tokensUsed = tokensUsed + @tokens,
    durationSeconds = durationSeconds + @seconds, continueScore = @continueScore, lastActivityAt = @at WHERE id = @id`)
  const storeTurn = sqlite.transaction((message: ReturnType<typeof messageParams>, totals: Record<string, unknown>) => {
    insertMessage.run(message)
    updateTotals.run(totals)
  })
  const end = sqlite.prepare("UPDATE Conversation SET status = 'ended', endReason = ?, endedAt = ? WHERE id = ?")
  // an absent user is a NULL parameter: every user's
  const active = sqlite.prepare<[{ userId: string | null }], string>("SELECT id FROM Conversation WHERE kind = 'persona' AND status = 'active' AND (@userId IS NULL OR userId = @userId)").pluck()
  const recentIds = sqlite.prepare<[{ userId: string | null, limit: number }], string>(`SELECT id FROM Conversation
    WHERE kind = 'persona' AND (@userId IS NULL OR userId = @userId) ORDER BY startedAt DESC LIMIT @limit`).pluck()
  const recentTopics = sqlite.prepare<[{ personaId: string, userId: string | null, limit: number }], string | null>(`SELECT topic FROM Conversation
    WHERE kind = 'persona' AND (personaId = @personaId OR otherPersonaId = @personaId) AND (@userId IS NULL OR userId = @userId)
    ORDER BY startedAt DESC LIMIT @limit`).pluck()

  return {
    async createPersonaConversation (input, at) {
      const id = randomUUID()
      insert.run({ ...input, id, at: toSqlTime(at.getTime()) })
      const row = byId.get(id)
      if (!row) throw new Error(`conversation ${id} was not stored`)
      return toConversation(row)
    },
    async appendPersonaTurn (conversationId, message, { at, turnCount, tokens, seconds, continueScore }) {
      storeTurn(messageParams(randomUUID(), conversationId, message), { id: conversationId, at: toSqlTime(at.getTime()), turnCount, tokens, seconds, continueScore })
    },
    async endPersonaConversation (conversationId, reason, at) { end.run(reason, toSqlTime(at.getTime()), conversationId) },
    async activePersonaConversationIds (userId) { return active.all({ userId: userId ?? null }) },
    async recentPersonaConversationIds (userId, limit) { return recentIds.all({ userId, limit }) },
    async recentPersonaTopics (personaId, userId, limit) {
      // a few times more rows than topics asked for: repeats are dropped
      const topics = recentTopics.all({ personaId, userId, limit: limit * 3 }).filter((t): t is string => Boolean(t))
      return [...new Set(topics)].slice(0, limit)
    },
  }
}
