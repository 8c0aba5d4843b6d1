import type { StoredConversation, StoredMessage } from '../../conversation/repository.ts'
import { toSqlTime } from './sql-time.ts'

// Conversation and Message rows as better-sqlite3 returns them (times as the Prisma adapter writes them:
// ISO text), mapped to the domain's records; shared by threads.ts, persona-conversations.ts and conversations.ts.

export interface ConversationRow {
  id: string
  kind: string
  sessionId: string | null
  userId: string | null
  personaId: string
  otherPersonaId: string | null
  topic: string | null
  tokenBudget: number | null
  tokensUsed: number
  continueScore: number
  turnCount: number
  durationSeconds: number
  summary: string
  summarizedTurn: number
  status: string
  endReason: string | null
  startedAt: string
  lastActivityAt: string
  endedAt: string | null
}

export interface MessageRow {
  turnNumber: number
  role: string
  speakerId: string | null
  content: string
  tokens: number
  processingTime: number
  responseType: string | null
  createdAt: string
}

export const CONVERSATION_COLUMNS = 'id, kind, sessionId, userId, personaId, otherPersonaId, topic, tokenBudget, tokensUsed, continueScore, ' +
  'turnCount, durationSeconds, summary, summarizedTurn, status, endReason, startedAt, lastActivityAt, endedAt'
export const MESSAGE_COLUMNS = 'turnNumber, role, speakerId, content, tokens, processingTime, responseType, createdAt'

export const toConversation = (row: ConversationRow): StoredConversation => ({
  ...row,
  kind: row.kind === 'persona' ? 'persona' : 'user',
  startedAt: new Date(row.startedAt),
  lastActivityAt: new Date(row.lastActivityAt),
  endedAt: row.endedAt === null ? null : new Date(row.endedAt),
})

export const toMessage = (row: MessageRow): StoredMessage => ({ ...row, createdAt: new Date(row.createdAt) })

/** named parameters of an INSERT INTO Message */
export const messageParams = (id: string, conversationId: string, m: StoredMessage) => ({
  id,
  conversationId,
  turnNumber: m.turnNumber,
  role: m.role,
  speakerId: m.speakerId,
  content: m.content,
  tokens: m.tokens,
  processingTime: m.processingTime,
  responseType: m.responseType,
  createdAt: toSqlTime(m.createdAt.getTime()),
})

export const INSERT_MESSAGE = `INSERT INTO Message (id, conversationId, turnNumber, role, speakerId, content, tokens, processingTime, responseType, createdAt)
  VALUES (@id, @conversationId, @turnNumber, @role, @speakerId, @content, @tokens, @processingTime, @responseType, @createdAt)`
