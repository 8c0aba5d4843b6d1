import type { TObject } from '@sinclair/typebox'
import {
  ApiKeyRecord, ConversationRecord, MemoryRecord, MessageRecord, OwnedPersonaRecord, RelationshipEventRecord, RelationshipRecord,
  SessionRecord, type DataCounts,
} from '../../users/schemas.ts'
import { columnList } from './columns.ts'

// A user's rows in every table that carries a user id: the one place that knows which tables those are, for
// either database (identifiers quoted, which both read alike). The columns read are the export's
// (src/users/schemas.ts), so a secret or a blob is never selected.

/** the user's rows, table by table (one WHERE each; messages through their conversations); `u`: the user id's placeholder */
export const userScopes = (u: string) => ({
  sessions: `FROM "Session" WHERE "userId" = ${u}`,
  conversations: `FROM "Conversation" WHERE "userId" = ${u}`,
  messages: `FROM "Message" WHERE "conversationId" IN (SELECT id FROM "Conversation" WHERE "userId" = ${u}) OR "speakerId" = ${u}`,
  memories: `FROM "Memory" WHERE "userId" = ${u}`,
  relationships: `FROM "Relationship" WHERE kind = 'user' AND "persona2Id" = ${u}`,
  relationship_events: `FROM "RelationshipEvent" WHERE "relationshipId" IN (SELECT id FROM "Relationship" WHERE kind = 'user' AND "persona2Id" = ${u})`,
  api_keys: `FROM "ApiKey" WHERE "userId" = ${u}`,
  personas_owned: `FROM "Persona" WHERE "ownerId" = ${u}`,
})
export type UserTable = keyof ReturnType<typeof userScopes>

/**
 * what an erase deletes: the exported rows, and the records of the user's MCP HTTP sessions (how their
 * client initialised, which persona session it serves, what it subscribed to and its log level: bookkeeping
 * of a connection, not exported); their tasks (McpTask, tool results included) go with them (ON DELETE CASCADE)
 */
export const eraseScopes = (u: string) => ({ ...userScopes(u), mcp_sessions: `FROM "McpSession" WHERE "userId" = ${u}` })

/** what each count of a receipt counts */
export const countScopes = (u: string): Record<keyof DataCounts, string> => {
  const { personas_owned: owned, ...scopes } = eraseScopes(u)
  return {
    ...scopes,
    summaries: `FROM "Conversation" WHERE "userId" = ${u} AND summary <> ''`,
    vector_entries: `FROM "Memory" WHERE "userId" = ${u} AND embedding IS NOT NULL`,
    personas_disowned: owned,
  }
}

/** what each export holds: the record's columns in a stable order; `json`: columns SQLite keeps as text (pg parses JSONB itself) */
export const USER_RECORDS: Record<UserTable, { schema: TObject, json?: readonly string[], order: string }> = {
  sessions: { schema: SessionRecord, json: ['snapshot'], order: '"createdAt"' },
  conversations: { schema: ConversationRecord, order: '"startedAt"' },
  messages: { schema: MessageRecord, order: '"createdAt", "turnNumber"' },
  memories: { schema: MemoryRecord, json: ['relatedPersonas', 'metadata'], order: '"createdAt"' },
  relationships: { schema: RelationshipRecord, order: '"firstMeeting"' },
  relationship_events: { schema: RelationshipEventRecord, json: ['deltas'], order: '"createdAt"' },
  api_keys: { schema: ApiKeyRecord, order: '"createdAt"' },
  personas_owned: { schema: OwnedPersonaRecord, order: '"createdAt"' },
}

/** the SELECT of one table's export, the user id as placeholder `u` */
export const recordsSql = (table: UserTable, u: string): string =>
  `SELECT ${columnList(Object.keys(USER_RECORDS[table].schema.properties))} ${userScopes(u)[table]} ORDER BY ${USER_RECORDS[table].order}`
