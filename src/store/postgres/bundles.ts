import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type {
  BundleConversationRow, BundleEventRow, BundleMemoryRow, BundleMessageRow, BundleRelationshipRow, BundleRestore, PersonaBundleRepository,
} from '../../cards/bundle-repository.ts'
import { blobToVector, vectorToBlob } from '../sqlite/vector-source.ts'
import type { PostgresDatabase } from './database.ts'
import { pgTime } from './memories.ts'
import { inTransaction } from './transaction.ts'

// One user's rows about one persona on PostgreSQL: src/store/sqlite/bundles.ts's columns and order, read in
// one REPEATABLE READ snapshot and restored in one transaction.

type Raw = Record<string, unknown>
const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ')
const MEMORY = ['id', 'content', 'memoryType', 'importance', 'baseImportance', 'emotionalValence', 'visibility', 'relatedPersonas', 'metadata',
  'accessCount', 'lastAccessedAt', 'createdAt', 'embedding', 'embeddingModel']
const RELATIONSHIP = ['affinity', 'trust', 'respect', 'intimacy', 'relationshipType', 'interactionCount', 'totalInteractionTime', 'lastInteraction',
  'firstMeeting', 'recentInteractionQuality', 'sharedExperiences', 'memorableMoments', 'conflictHistory', 'compatibilityFactors']
const CONVERSATION = ['id', 'topic', 'tokenBudget', 'tokensUsed', 'continueScore', 'turnCount', 'durationSeconds', 'summary', 'summarizedTurn', 'status',
  'endReason', 'startedAt', 'lastActivityAt', 'endedAt']
const MESSAGE = ['id', 'turnNumber', 'role', 'speakerId', 'content', 'tokens', 'processingTime', 'responseType', 'createdAt']
const JSON_COLUMNS = new Set(['relatedPersonas', 'metadata', 'sharedExperiences', 'memorableMoments', 'conflictHistory', 'compatibilityFactors', 'deltas'])
const TIME_COLUMNS = new Set(['lastAccessedAt', 'createdAt', 'lastInteraction', 'firstMeeting', 'startedAt', 'lastActivityAt', 'endedAt'])

/** TIMESTAMP comes back as Date: epoch ms here */
const msTimes = (row: Raw) => {
  for (const [column, value] of Object.entries(row)) if (value instanceof Date) row[column] = value.getTime()
  return row
}

/** `$offset+1, ...` placeholders and the values of `columns`, JSON and times as PostgreSQL takes them */
function valuesOf (row: Raw, columns: string[], offset: number): { marks: string, values: unknown[] } {
  const values = columns.map((c) => {
    const v = row[c]
    if (JSON_COLUMNS.has(c)) return JSON.stringify(v ?? null)
    if (TIME_COLUMNS.has(c)) return v === null || v === undefined ? null : pgTime(v as number)
    return v
  })
  const marks = columns.map((c, i) => `$${offset + i + 1}${JSON_COLUMNS.has(c) ? '::jsonb' : ''}`).join(', ')
  return { marks, values }
}

async function insert (client: pg.PoolClient, table: string, fixed: Record<string, unknown>, row: Raw, columns: string[]): Promise<void> {
  const names = Object.keys(fixed)
  const { marks, values } = valuesOf(row, columns, names.length)
  await client.query(`INSERT INTO "${table}" (${quoted([...names, ...columns])}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}, ${marks})`,
    [...Object.values(fixed), ...values])
}

export function createPostgresBundleRepository ({ pool }: PostgresDatabase): PersonaBundleRepository {
  return {
    rows: (p, u) => inTransaction(pool, async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ')
      const all = async (sql: string, args: unknown[]) => (await client.query<Raw>(sql, args)).rows.map(msTimes)
      const memories = (await all(`SELECT ${quoted(MEMORY)} FROM "Memory" WHERE "personaId" = $1 AND "userId" = $2 AND "prunedAt" IS NULL
        ORDER BY "createdAt", id`, [p, u]))
        .map((m) => ({ ...m, embedding: m.embedding === null ? null : blobToVector(m.embedding as Uint8Array) }) as unknown as BundleMemoryRow)
      const [rel] = await all(`SELECT id, ${quoted(RELATIONSHIP)} FROM "Relationship" WHERE kind = 'user' AND "persona1Id" = $1 AND "persona2Id" = $2`, [p, u])
      const relationship = rel === undefined
        ? null
        : {
            ...rel,
            id: undefined,
            events: await all(`SELECT id, quality, "durationMinutes", context, deltas, "createdAt" FROM "RelationshipEvent"
              WHERE "relationshipId" = $1 ORDER BY "createdAt", id`, [rel.id]) as unknown as BundleEventRow[],
          } as unknown as BundleRelationshipRow
      const conversations: BundleConversationRow[] = []
      for (const c of await all(`SELECT ${quoted(CONVERSATION)} FROM "Conversation" WHERE kind = 'user' AND "personaId" = $1 AND "userId" = $2
        ORDER BY "startedAt", id`, [p, u])) {
        const messages = await all(`SELECT ${quoted(MESSAGE)} FROM "Message" WHERE "conversationId" = $1 ORDER BY "turnNumber", "createdAt"`, [c.id])
        conversations.push({ ...c, messages: messages as unknown as BundleMessageRow[] } as unknown as BundleConversationRow)
      }
      return { memories, relationship, conversations }
    }),

    restore: (personaId, userId, rows: BundleRestore) => inTransaction(pool, async (client) => {
      for (const m of rows.memories) {
        await insert(client, 'Memory', { personaId, userId }, { ...m, embedding: vectorToBlob(m.embedding) }, MEMORY)
      }
      if (rows.relationship) {
        const id = randomUUID()
        // replaces the user's relationship with the persona here, its events with it (cascade)
        await client.query(`DELETE FROM "Relationship" WHERE kind = 'user' AND "persona1Id" = $1 AND "persona2Id" = $2`, [personaId, userId])
        await insert(client, 'Relationship', { id, kind: 'user', persona1Id: personaId, persona2Id: userId }, rows.relationship as unknown as Raw, RELATIONSHIP)
        for (const e of rows.relationship.events) {
          await insert(client, 'RelationshipEvent', { relationshipId: id }, e as unknown as Raw, ['id', 'quality', 'durationMinutes', 'context', 'deltas', 'createdAt'])
        }
      }
      for (const c of rows.conversations) {
        await insert(client, 'Conversation', { kind: 'user', userId, personaId }, c as unknown as Raw, CONVERSATION)
        for (const m of c.messages) await insert(client, 'Message', { conversationId: c.id }, m as unknown as Raw, MESSAGE)
      }
    }),
  }
}
