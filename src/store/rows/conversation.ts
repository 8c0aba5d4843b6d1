import type { StoredConversation, StoredMessage } from '../../conversation/repository.ts'
import { columnList, type Dated, type ToDate } from './columns.ts'

// The Conversation and Message columns the domain's records are read from, on either database.

export type ConversationRow<D> = Dated<Omit<StoredConversation, 'kind'> & { kind: string }, D>
export type MessageRow<D> = Dated<StoredMessage, D>

export const CONVERSATION_COLUMNS = columnList(['id', 'kind', 'sessionId', 'userId', 'personaId', 'otherPersonaId', 'topic', 'tokenBudget',
  'tokensUsed', 'continueScore', 'turnCount', 'durationSeconds', 'summary', 'summarizedTurn', 'status', 'endReason', 'startedAt',
  'lastActivityAt', 'endedAt'])
export const MESSAGE_COLUMNS = columnList(['turnNumber', 'role', 'speakerId', 'content', 'tokens', 'processingTime', 'responseType', 'createdAt'])

export const conversationFromRow = <D>(date: ToDate<D>) => (row: ConversationRow<D>): StoredConversation => ({
  ...row,
  kind: row.kind === 'persona' ? 'persona' : 'user',
  startedAt: date(row.startedAt),
  lastActivityAt: date(row.lastActivityAt),
  endedAt: row.endedAt === null ? null : date(row.endedAt),
})

export const messageFromRow = <D>(date: ToDate<D>) => (row: MessageRow<D>): StoredMessage => ({ ...row, createdAt: date(row.createdAt) })
