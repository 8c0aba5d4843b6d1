import type pg from 'pg'
import type { ErasedRows, UserDataRepository } from '../../users/repository.ts'
import type { DataCounts, UserRecords } from '../../users/schemas.ts'
import { countScopes, eraseScopes, recordsSql, USER_RECORDS, type UserTable } from '../rows/user-data.ts'
import { toSqlTime } from '../sqlite/sql-time.ts'
import type { PostgresDatabase } from './database.ts'
import { inTransaction } from './transaction.ts'

// A user's rows in every table that carries a user id, on PostgreSQL: the scopes, columns and order of
// src/store/rows/user-data.ts, as SQLite's; times exported as the text SQLite's export carries, so the two
// exports are the same bytes. Not hot (data-rights requests), but several instances share the database,
// so an erase locks what new rows would hang on and counts what its deletes actually removed.

const SCOPES = eraseScopes('$1')
const SELECTS = Object.keys(USER_RECORDS).map((table) => [table, recordsSql(table as UserTable, '$1')] as const)

/** every count in one statement: one snapshot */
const COUNTS_SQL = 'SELECT ' + Object.entries(countScopes('$1')).map(([kind, scope]) => `(SELECT count(*) ${scope})::int AS ${kind}`).join(', ')

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
  const mcpSessions = await run(`DELETE ${SCOPES.mcp_sessions} RETURNING 1`)
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
      mcp_sessions: mcpSessions.length,
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
