import type { ErasedRows, UserDataRepository } from '../../users/repository.ts'
import type { DataCounts, UserRecords } from '../../users/schemas.ts'
import { countScopes, eraseScopes, recordsSql, USER_RECORDS, type UserTable } from '../rows/user-data.ts'
import type { SqliteDatabase } from './database.ts'

// A user's rows in every table that carries a user id (src/store/rows/user-data.ts: which tables, which columns).

const SCOPES = eraseScopes('@u')

/** children first: messages and events, then what they hang on */
const ERASE_ORDER = ['messages', 'relationship_events', 'memories', 'relationships', 'conversations', 'sessions', 'api_keys', 'mcp_sessions'] as const

export function createSqliteUserDataRepository ({ sqlite }: SqliteDatabase): UserDataRepository {
  const select = Object.fromEntries(Object.entries(USER_RECORDS).map(([table, { json = [] }]) => {
    const statement = sqlite.prepare<{ u: string }, Record<string, unknown>>(recordsSql(table as UserTable, '@u'))
    const parse = (row: Record<string, unknown>) => {
      for (const column of json) if (typeof row[column] === 'string') row[column] = JSON.parse(row[column])
      return row
    }
    return [table, (u: string) => statement.all({ u }).map(parse)]
  })) as Record<UserTable, (u: string) => Array<Record<string, unknown>>>

  const count = (scope: string) => sqlite.prepare<{ u: string }, { n: number }>(`SELECT count(*) AS n ${scope}`)
  const scopes = countScopes('@u')
  // in erase order, then the rest: the receipt's keys in the order they always had
  const kinds = [...ERASE_ORDER, 'summaries', 'vector_entries', 'personas_disowned'] as const
  const counters = Object.fromEntries(kinds.map((kind) => [kind, count(scopes[kind])])) as Record<keyof DataCounts, ReturnType<typeof count>>
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
