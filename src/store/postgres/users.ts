import type pg from 'pg'
import type { TObject } from '@sinclair/typebox'
import type { ErasedRows, UserDataRepository } from '../../users/repository.ts'
import {
  ApiKeyRecord, ConversationRecord, MemoryRecord, MessageRecord, OwnedPersonaRecord, RelationshipEventRecord, RelationshipRecord,
  SessionRecord, type DataCounts, type UserRecords,
} from '../../users/schemas.ts'
import { toSqlTime } from '../sqlite/sql-time.ts'
import type { PostgresDatabase } from './database.ts'
import { inTransaction } from './transaction.ts'

// A user's rows in every table that carries a user id, on PostgreSQL. Mirrors src/store/sqlite/users.ts:
// the same scopes, columns and order; times exported as the text SQLite's export carries, so the two
// exports are the same bytes. Not hot (data-rights requests), but several instances share the database,
// so an erase locks what new rows would hang on and counts what its deletes actually removed.

/** the user's rows, table by table (one WHERE each; messages through their conversations) */
const SCOPES = {
  sessions: 'FROM "Session" WHERE "userId" = $1',
  conversations: 'FROM "Conversation" WHERE "userId" = $1',
  messages: 'FROM "Message" WHERE "conversationId" IN (SELECT id FROM "Conversation" WHERE "userId" = $1) OR "speakerId" = $1',
  memories: 'FROM "Memory" WHERE "userId" = $1',
  relationships: `FROM "Relationship" WHERE kind = 'user' AND "persona2Id" = $1`,
  relationship_events: `FROM "RelationshipEvent" WHERE "relationshipId" IN (SELECT id FROM "Relationship" WHERE kind = 'user' AND "persona2Id" = $1)`,
  api_keys: 'FROM "ApiKey" WHERE "userId" = $1',
  personas_owned: 'FROM "Persona" WHERE "ownerId" = $1',
} as const
type Table = keyof typeof SCOPES

const RECORDS: Record<Table, { schema: TObject, order: string }> = {
  sessions: { schema: SessionRecord, order: '"createdAt"' },
  conversations: { schema: ConversationRecord, order: '"startedAt"' },
  messages: { schema: MessageRecord, order: '"createdAt", "turnNumber"' },
  memories: { schema: MemoryRecord, order: '"createdAt"' },
  relationships: { schema: RelationshipRecord, order: '"firstMeeting"' },
  relationship_events: { schema: RelationshipEventRecord, order: '"createdAt"' },
  api_keys: { schema: ApiKeyRecord, order: '"createdAt"' },
  personas_owned: { schema: OwnedPersonaRecord, order: '"createdAt"' },
}
const SELECTS = Object.entries(RECORDS).map(([table, { schema, order }]) =>
  [table, `SELECT ${Object.keys(schema.properties).map((c) => `"${c}"`).join(', ')} ${SCOPES[table as Table]} ORDER BY ${order}`] as const)

/** every count in one statement: one snapshot */
const COUNTS_SQL = 'SELECT ' + Object.entries({
  sessions: SCOPES.sessions,
  conversations: SCOPES.conversations,
  messages: SCOPES.messages,
  memories: SCOPES.memories,
  relationships: SCOPES.relationships,
  relationship_events: SCOPES.relationship_events,
  api_keys: SCOPES.api_keys,
  summaries: `FROM "Conversation" WHERE "userId" = $1 AND summary <> ''`,
  vector_entries: 'FROM "Memory" WHERE "userId" = $1 AND embedding IS NOT NULL',
  personas_disowned: SCOPES.personas_owned,
} satisfies Record<keyof DataCounts, string>).map(([kind, scope]) => `(SELECT count(*) ${scope})::int AS ${kind}`).join(', ')

/** JSONB comes back parsed; TIMESTAMP as Date, exported as text */
const exportRow = (row: Record<string, unknown>) => {
  for (const [column, value] of Object.entries(row)) if (value instanceof Date) row[column] = toSqlTime(value.getTime())
  return row
}

async function erase (client: pg.PoolClient, u: string): Promise<ErasedRows> {
  const run = async <R extends pg.QueryResultRow = Record<string, unknown>>(sql: string) => (await client.query<R>(sql, [u])).rows
  // messages and events hang on these rows: a message or event another instance adds meanwhile waits, then fails its foreign key
  await run(`SELECT 1 ${SCOPES.conversations} FOR UPDATE`)
  await run(`SELECT 1 ${SCOPES.relationships} FOR UPDATE`)
  // children first, so no cascade takes a row a count would miss
  const messages = await run(`DELETE ${SCOPES.messages} RETURNING 1`)
  const events = await run(`DELETE ${SCOPES.relationship_events} RETURNING 1`)
  const memories = await run<{ id: string, vector: boolean }>(`DELETE ${SCOPES.memories} RETURNING id, embedding IS NOT NULL AS vector`)
  const relationships = await run(`DELETE ${SCOPES.relationships} RETURNING 1`)
  const conversations = await run<{ summary: boolean }>(`DELETE ${SCOPES.conversations} RETURNING summary <> '' AS summary`)
  const sessions = await run(`DELETE ${SCOPES.sessions} RETURNING 1`)
  const apiKeys = await run(`DELETE ${SCOPES.api_keys} RETURNING 1`)
  const disowned = await run<{ id: string }>('UPDATE "Persona" SET "ownerId" = NULL WHERE "ownerId" = $1 RETURNING id')
  return {
    counts: {
      sessions: sessions.length,
      conversations: conversations.length,
      messages: messages.length,
      memories: memories.length,
      relationships: relationships.length,
      relationship_events: events.length,
      api_keys: apiKeys.length,
      summaries: conversations.filter((c) => c.summary).length,
      vector_entries: memories.filter((m) => m.vector).length,
      personas_disowned: disowned.length,
    },
    memoryIds: memories.map((m) => m.id),
    disownedPersonaIds: disowned.map((p) => p.id),
  }
}

export function createPostgresUserDataRepository ({ pool }: PostgresDatabase): UserDataRepository {
  return {
    async counts (userId) {
      return (await pool.query<DataCounts>(COUNTS_SQL, [userId])).rows[0]!
    },
    async records (userId) {
      // one snapshot for the whole export, as a single SQLite read sees
      return await inTransaction(pool, async (client) => {
        await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
        const tables: Array<[string, unknown[]]> = []
        for (const [table, sql] of SELECTS) tables.push([table, (await client.query(sql, [userId])).rows.map(exportRow)])
        return Object.fromEntries(tables) as UserRecords
      })
    },
    async erase (userId) {
      return await inTransaction(pool, async (client) => await erase(client, userId))
    },
  }
}
