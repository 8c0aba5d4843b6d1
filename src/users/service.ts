import type Database from 'better-sqlite3'
import type { VectorIndex } from '../memory/types.ts'

// A user's data rights (issue 16 item 6): everything stored about one user, as JSON, and erasing it with a
// receipt. SQL over the tables that carry a user id; the vector index loses the erased memories' vectors.

export interface UserDataDeps {
  sqlite: Database.Database
  index: VectorIndex
  log: { warn (obj: object, msg?: string): void }
  now?: () => number
}

/** the user's rows, table by table (one WHERE each; messages through their conversations) */
const SCOPES = {
  sessions: 'FROM Session WHERE userId = @u',
  conversations: 'FROM Conversation WHERE userId = @u',
  messages: 'FROM Message WHERE conversationId IN (SELECT id FROM Conversation WHERE userId = @u) OR speakerId = @u',
  memories: 'FROM Memory WHERE userId = @u',
  relationships: "FROM Relationship WHERE kind = 'user' AND persona2Id = @u",
  relationship_events: "FROM RelationshipEvent WHERE relationshipId IN (SELECT id FROM Relationship WHERE kind = 'user' AND persona2Id = @u)",
  api_keys: 'FROM ApiKey WHERE userId = @u',
} as const
export type DataKind = keyof typeof SCOPES | 'summaries' | 'vector_entries' | 'personas_disowned'
const KEY_COLUMNS = 'id, userId, label, keyPrefix, scope, createdAt, lastUsedAt, revokedAt'

const parseJson = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => {
  if (typeof v === 'string' && /^[[{]/.test(v)) { try { return [k, JSON.parse(v)] } catch { return [k, v] } }
  if (Buffer.isBuffer(v)) return [k, undefined] // embeddings: derived data, not the user's words
  return [k, v]
}))

export function createUserData ({ sqlite, index, log, now = Date.now }: UserDataDeps) {
  const all = (sql: string, u: string) => (sqlite.prepare(sql).all({ u }) as Array<Record<string, unknown>>).map(parseJson)
  const count = (scope: string, u: string) => (sqlite.prepare(`SELECT count(*) AS n ${scope}`).get({ u }) as { n: number }).n

  function counts (userId: string): Record<DataKind, number> {
    const out = Object.fromEntries(Object.entries(SCOPES).map(([kind, scope]) => [kind, count(scope, userId)])) as Record<DataKind, number>
    out.summaries = count("FROM Conversation WHERE userId = @u AND summary <> ''", userId)
    out.vector_entries = count('FROM Memory WHERE userId = @u AND embedding IS NOT NULL', userId)
    out.personas_disowned = count('FROM Persona WHERE ownerId = @u', userId)
    return out
  }

  return {
    counts,

    /** Everything stored about the user; API keys as metadata only (the hash and secret never leave). */
    export (userId: string) {
      return {
        user_id: userId,
        exported_at: new Date(now()).toISOString(),
        sessions: all(`SELECT * ${SCOPES.sessions}`, userId),
        conversations: all(`SELECT * ${SCOPES.conversations}`, userId),
        messages: all(`SELECT * ${SCOPES.messages} ORDER BY createdAt`, userId),
        memories: all(`SELECT * ${SCOPES.memories}`, userId),
        relationships: all(`SELECT * ${SCOPES.relationships}`, userId),
        relationship_events: all(`SELECT * ${SCOPES.relationship_events}`, userId),
        api_keys: all(`SELECT ${KEY_COLUMNS} ${SCOPES.api_keys}`, userId),
        personas_owned: all('SELECT id, name, createdAt FROM Persona WHERE ownerId = @u', userId),
      }
    },

    /**
     * Deletes every row of the user in one transaction (personas they created stay, without an owner: others
     * may talk to them), then the erased memories' vectors. Returns what went, counted, and when.
     */
    async erase (userId: string) {
      const before = counts(userId)
      const memoryIds = (sqlite.prepare(`SELECT id ${SCOPES.memories}`).all({ u: userId }) as Array<{ id: string }>).map((r) => r.id)
      sqlite.transaction(() => {
        // children first: messages, events, then what they hang on
        for (const kind of ['messages', 'relationship_events', 'memories', 'relationships', 'conversations', 'sessions', 'api_keys'] as const) {
          sqlite.prepare(`DELETE ${SCOPES[kind]}`).run({ u: userId })
        }
        sqlite.prepare('UPDATE Persona SET ownerId = NULL WHERE ownerId = @u').run({ u: userId })
      })()
      let vectorsRemoved = memoryIds.length
      try {
        if (memoryIds.length > 0) await index.remove(memoryIds)
      } catch (err) {
        // the rows are gone: the vector store drops vectors without rows when it reconciles
        vectorsRemoved = 0
        log.warn({ err, user: userId }, 'erased memories: their vectors are removed when the index re-syncs')
      }
      return { user_id: userId, erased_at: new Date(now()).toISOString(), erased: { ...before, vector_entries: vectorsRemoved }, vector_index: index.kind }
    },
  }
}

export type UserData = ReturnType<typeof createUserData>
