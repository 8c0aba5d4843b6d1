import type { StoredMessage } from '../../conversation/repository.ts'
import { fromText } from '../rows/columns.ts'
import { conversationFromRow, messageFromRow, type ConversationRow as Row, type MessageRow as Message } from '../rows/conversation.ts'
import { toSqlTime } from './sql-time.ts'

// Conversation and Message rows as better-sqlite3 returns them (times as the Prisma adapter writes them:
// ISO text), mapped to the domain's records; shared by threads.ts, persona-conversations.ts and conversations.ts.

export type ConversationRow = Row<string>
export type MessageRow = Message<string>
export { CONVERSATION_COLUMNS, MESSAGE_COLUMNS } from '../rows/conversation.ts'

export const toConversation = conversationFromRow(fromText)
export const toMessage = messageFromRow(fromText)

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
