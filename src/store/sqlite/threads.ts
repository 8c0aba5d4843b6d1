import { randomUUID } from 'node:crypto'
import type { ThreadRepository } from '../../conversation/repository.ts'
import { CONVERSATION_COLUMNS, INSERT_MESSAGE, MESSAGE_COLUMNS, messageParams, toConversation, toMessage, type ConversationRow, type MessageRow } from './conversation-rows.ts'
import type { SqliteDatabase } from './database.ts'
import { toSqlTime } from './sql-time.ts'

/** User threads: every call is a prepared statement, since chat turns and conversation.history run them. */
export function createSqliteThreadRepository ({ sqlite }: SqliteDatabase): ThreadRepository {
  const insertThread = sqlite.prepare(`INSERT INTO Conversation (id, kind, sessionId, userId, personaId, startedAt, lastActivityAt)
    VALUES (?, 'user', ?, ?, ?, ?, ?) ON CONFLICT (sessionId, personaId) DO NOTHING`)
  const bySessionPersona = sqlite.prepare<[string, string], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM Conversation WHERE sessionId = ? AND personaId = ?`)
  const byId = sqlite.prepare<[string], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM Conversation WHERE id = ?`)
  // both messages of a turn share its number and time: the user's comes first ('user' > 'persona'), so last when newest first
  const latest = sqlite.prepare<[string, number, number], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM Message
    WHERE conversationId = ? AND turnNumber < ? ORDER BY turnNumber DESC, role ASC LIMIT ?`)
  const between = sqlite.prepare<[string, number, number], MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM Message
    WHERE conversationId = ? AND turnNumber > ? AND turnNumber <= ? ORDER BY turnNumber ASC, role DESC`)
  const count = sqlite.prepare<[string], number>('SELECT COUNT(*) FROM Message WHERE conversationId = ?').pluck()
  const insertMessage = sqlite.prepare(INSERT_MESSAGE)
  const updateTotals = sqlite.prepare('UPDATE Conversation SET turnCount = ?, tokensUsed = tokensUsed + ?, lastActivityAt = ? WHERE id = ?')
  const storeTurn = sqlite.transaction((rows: Array<ReturnType<typeof messageParams>>, totals: [number, number, string, string]) => {
    for (const row of rows) insertMessage.run(row)
    updateTotals.run(...totals)
  })
  const saveSummary = sqlite.prepare('UPDATE Conversation SET summary = ?, summarizedTurn = ? WHERE id = ?')
  const deleteMessages = sqlite.prepare('DELETE FROM Message WHERE conversationId = ?')
  const resetThread = sqlite.prepare("UPDATE Conversation SET turnCount = 0, summary = '', summarizedTurn = 0, tokensUsed = 0 WHERE id = ?")
  const clear = sqlite.transaction((id: string) => {
    const { changes } = deleteMessages.run(id)
    resetThread.run(id)
    return changes
  })

  const find = (sessionId: string, personaId: string) => {
    const row = bySessionPersona.get(sessionId, personaId)
    return row === undefined ? undefined : toConversation(row)
  }

  return {
    async openThread (sessionId, userId, personaId, at) {
      const time = toSqlTime(at.getTime())
      insertThread.run(randomUUID(), sessionId, userId, personaId, time, time)
      const thread = find(sessionId, personaId)
      if (!thread) throw new Error(`thread of session ${sessionId} with persona ${personaId} was not stored`)
      return thread
    },
    async findThread (sessionId, personaId) { return find(sessionId, personaId) },
    async findConversation (id) {
      const row = byId.get(id)
      return row === undefined ? undefined : toConversation(row)
    },
    async latestMessages (conversationId, count, beforeTurn = Number.MAX_SAFE_INTEGER) {
      return latest.all(conversationId, beforeTurn, count).reverse().map(toMessage)
    },
    async countMessages (conversationId) { return count.get(conversationId) ?? 0 },
    async messagesBetween (conversationId, afterTurn, throughTurn) {
      return between.all(conversationId, afterTurn, throughTurn).map(toMessage)
    },
    async appendTurn (conversationId, messages, { turnCount, tokens, at }) {
      storeTurn(messages.map((m) => messageParams(randomUUID(), conversationId, m)), [turnCount, tokens, toSqlTime(at.getTime()), conversationId])
    },
    async appendOpening (conversationId, message) { insertMessage.run(messageParams(randomUUID(), conversationId, message)) },
    async saveSummary (conversationId, summary, summarizedTurn) { saveSummary.run(summary, summarizedTurn, conversationId) },
    async clearThread (conversationId) { return clear(conversationId) },
  }
}
