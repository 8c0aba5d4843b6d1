import type { TObject } from '@sinclair/typebox'
import type { ErasedRows, UserDataRepository } from '../../users/repository.ts'
import {
  ApiKeyRecord, ConversationRecord, MemoryRecord, MessageRecord, OwnedPersonaRecord, RelationshipEventRecord, RelationshipRecord,
  SessionRecord, type DataCounts, type UserRecords,
} from '../../users/schemas.ts'
import type { SqliteDatabase } from './database.ts'

// A user's rows in every table that carries a user id: the one place that knows which tables those are.
// The columns read are the export's (src/users/schemas.ts), so a secret or a blob is never selected.

/** the user's rows, table by table (one WHERE each; messages through their conversations) */
const SCOPES = {
  sessions: 'FROM Session WHERE userId = @u',
  conversations: 'FROM Conversation WHERE userId = @u',
  messages: 'FROM Message WHERE conversationId IN (SELECT id FROM Conversation WHERE userId = @u) OR speakerId = @u',
  memories: 'FROM Memory WHERE userId = @u',
  relationships: "FROM Relationship WHERE kind = 'user' AND persona2Id = @u",
  relationship_events: "FROM RelationshipEvent WHERE relationshipId IN (SELECT id FROM Relationship WHERE kind = 'user' AND persona2Id = @u)",
  api_keys: 'FROM ApiKey WHERE userId = @u',
  personas_owned: 'FROM Persona WHERE ownerId = @u',
} as const
type Table = keyof typeof SCOPES

/** what each export holds: the record's columns, the JSON ones parsed */
const RECORDS: Record<Table, { schema: TObject, json?: readonly string[], order?: string }> = {
  sessions: { schema: SessionRecord, json: ['snapshot'], order: 'createdAt' },
  conversations: { schema: ConversationRecord, order: 'startedAt' },
  messages: { schema: MessageRecord, order: 'createdAt, turnNumber' },
  memories: { schema: MemoryRecord, json: ['relatedPersonas', 'metadata'], order: 'createdAt' },
  relationships: { schema: RelationshipRecord, order: 'firstMeeting' },
  relationship_events: { schema: RelationshipEventRecord, json: ['deltas'], order: 'createdAt' },
  api_keys: { schema: ApiKeyRecord, order: 'createdAt' },
  personas_owned: { schema: OwnedPersonaRecord, order: 'createdAt' },
}

/** children first: messages and events, then what they hang on */
const ERASE_ORDER = ['messages', 'relationship_events', 'memories', 'relationships', 'conversations', 'sessions', 'api_keys'] as const

export function createSqliteUserDataRepository ({ sqlite }: SqliteDatabase): UserDataRepository {
  const select = Object.fromEntries(Object.entries(RECORDS).map(([table, { schema, json = [], order }]) => {
    const columns = Object.keys(schema.properties)
    const statement = sqlite.prepare<{ u: string }, Record<string, unknown>>(
      `SELECT ${columns.map((c) => `"${c}"`).join(', ')} ${SCOPES[table as Table]}${order ? ` ORDER BY ${order}` : ''}`)
    const parse = (row: Record<string, unknown>) => {
      for (const column of json) if (typeof row[column] === 'string') row[column] = JSON.parse(row[column])
      return row
    }
    return [table, (u: string) => statement.all({ u }).map(parse)]
  })) as Record<Table, (u: string) => Array<Record<string, unknown>>>

  const count = (scope: string) => sqlite.prepare<{ u: string }, { n: number }>(`SELECT count(*) AS n ${scope}`)
  const counters = {
    ...Object.fromEntries(ERASE_ORDER.map((table) => [table, count(SCOPES[table])])),
    summaries: count("FROM Conversation WHERE userId = @u AND summary <> ''"),
    vector_entries: count('FROM Memory WHERE userId = @u AND embedding IS NOT NULL'),
    personas_disowned: count(SCOPES.personas_owned),
  } as Record<keyof DataCounts, ReturnType<typeof count>>
  const counts = (u: string) =>
    Object.fromEntries(Object.entries(counters).map(([kind, statement]) => [kind, statement.get({ u })!.n])) as DataCounts

  const deletes = ERASE_ORDER.map((table) => sqlite.prepare(`DELETE ${SCOPES[table]}`))
  const memoryIds = sqlite.prepare<{ u: string }, { id: string }>(`SELECT id ${SCOPES.memories}`)
  const ownedIds = sqlite.prepare<{ u: string }, { id: string }>(`SELECT id ${SCOPES.personas_owned}`)
  const disown = sqlite.prepare('UPDATE Persona SET ownerId = NULL WHERE ownerId = @u')
  const erase = sqlite.transaction((u: string): ErasedRows => {
    const before = counts(u)
    const memories = memoryIds.all({ u }).map((r) => r.id)
    const personas = ownedIds.all({ u }).map((r) => r.id)
    for (const statement of deletes) statement.run({ u })
    disown.run({ u })
    return { counts: before, memoryIds: memories, disownedPersonaIds: personas }
  })

  return {
    async counts (userId) { return counts(userId) },
    async records (userId) {
      return Object.fromEntries(Object.entries(select).map(([table, rows]) => [table, rows(userId)])) as UserRecords
    },
    async erase (userId) { return erase.immediate(userId) },
  }
}
