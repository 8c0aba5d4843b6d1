import type { StoredMessage } from '../../conversation/repository.ts'
import { asDate } from '../rows/columns.ts'
import { conversationFromRow, type ConversationRow as Row } from '../rows/conversation.ts'

// Conversation and Message rows as pg returns them (TIMESTAMP(3) read as UTC Dates by openPostgres), mapped
// to the domain's records, and the one statement that appends a turn; shared by threads.ts,
// persona-conversations.ts and conversations.ts.

export type ConversationRow = Row<Date>
export { CONVERSATION_COLUMNS, MESSAGE_COLUMNS } from '../rows/conversation.ts'

/** how many messages a conversation has: `$1` its id (count(*) comes back as text) */
export const COUNT_MESSAGES = { name: 'conversation-messages-count', text: 'SELECT count(*) AS n FROM "Message" WHERE "conversationId" = $1' }

export const toConversation = conversationFromRow(asDate)

/**
 * A turn's messages and the conversation's counters in one statement, so it is atomic on its own. The
 * UPDATE locks the conversation's row, so turns appended at once by two instances go one after the other:
 * the turn number is the caller's, or one past the stored count when another instance took it meanwhile
 * (`shift`), so no two turns share a number. `$1` id, `$2` the caller's new turn count, `$3` added tokens,
 * `$4` activity time, `$5` the messages as JSON; `$6...` for SET clauses of the kind appended.
 */
export const appendTurnSql = (extraSet = '') => `WITH turn AS (
    UPDATE "Conversation" SET "turnCount" = GREATEST("turnCount" + 1, $2::int), "tokensUsed" = "tokensUsed" + $3,
      "lastActivityAt" = $4::timestamp${extraSet}
    WHERE id = $1 RETURNING "turnCount" - $2::int AS shift)
  INSERT INTO "Message" (id, "conversationId", "turnNumber", role, "speakerId", content, tokens, "processingTime", "responseType", "createdAt")
  SELECT m.id, $1, m."turnNumber" + turn.shift, m.role, m."speakerId", m.content, m.tokens, m."processingTime", m."responseType", m."createdAt"
  FROM turn CROSS JOIN jsonb_to_recordset($5::jsonb) AS m(id text, "turnNumber" int, role text, "speakerId" text, content text,
    tokens int, "processingTime" double precision, "responseType" text, "createdAt" timestamp)`

/** the messages as `$5` of appendTurnSql: a timestamp column ignores the ISO text's `Z`, so it stays UTC as Prisma writes it */
export const messagesJson = (ids: string[], messages: StoredMessage[]): string =>
  JSON.stringify(messages.map((m, i) => ({ ...m, id: ids[i], createdAt: m.createdAt.toISOString() })))

/** An appended turn whose conversation is gone: SQLite's foreign key refuses its messages, so this does too. */
export function assertTurnStored (conversationId: string, rowCount: number | null, messages: number): void {
  if (messages > 0 && rowCount === 0) throw new Error(`conversation ${conversationId} does not exist; its turn was not stored`)
}
