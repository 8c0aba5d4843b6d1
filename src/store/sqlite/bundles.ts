import { randomUUID } from 'node:crypto'
import type {
  BundleConversationRow, BundleEventRow, BundleMemoryRow, BundleMessageRow, BundleRelationshipRow, BundleRestore, PersonaBundleRepository,
} from '../../cards/bundle-repository.ts'
import type { SqliteDatabase } from './database.ts'
import { fromSqlTime, toSqlTime } from './sql-time.ts'
import { blobToVector, vectorToBlob } from './vector-source.ts'

// One user's rows about one persona (a persona bundle), read in one snapshot and restored in one
// transaction. Column lists are spelt out: a bundle carries these and nothing else.

type Raw = Record<string, unknown>
const json = (v: unknown) => JSON.parse(String(v)) as unknown
const time = (v: unknown) => fromSqlTime(v as string | null)
const timeOf = (row: Raw, ...columns: string[]) => {
  for (const column of columns) row[column] = time(row[column])
  return row
}
const sqlTime = (ms: number | null) => (ms === null ? null : toSqlTime(ms))

const MEMORY_COLUMNS = `id, content, memoryType, importance, baseImportance, emotionalValence, visibility, relatedPersonas, metadata,
  accessCount, lastAccessedAt, createdAt, embedding, embeddingModel`
const RELATIONSHIP_COLUMNS = `affinity, trust, respect, intimacy, relationshipType, interactionCount, totalInteractionTime, lastInteraction,
  firstMeeting, recentInteractionQuality, sharedExperiences, memorableMoments, conflictHistory, compatibilityFactors`
const CONVERSATION_COLUMNS = `id, topic, tokenBudget, tokensUsed, continueScore, turnCount, durationSeconds, summary, summarizedTurn, status,
  endReason, startedAt, lastActivityAt, endedAt`
const MESSAGE_COLUMNS = 'id, turnNumber, role, speakerId, content, tokens, processingTime, responseType, createdAt'
const RELATIONSHIP_JSON = ['sharedExperiences', 'memorableMoments', 'conflictHistory', 'compatibilityFactors'] as const
const params = (columns: string) => columns.split(',').map((c) => `@${c.trim()}`).join(', ')

export function createSqliteBundleRepository ({ sqlite: db }: SqliteDatabase): PersonaBundleRepository {
  const memories = db.prepare<{ p: string, u: string }, Raw>(
    `SELECT ${MEMORY_COLUMNS} FROM Memory WHERE personaId = @p AND userId = @u AND prunedAt IS NULL ORDER BY createdAt, id`)
  const relationship = db.prepare<{ p: string, u: string }, Raw>(
    `SELECT id, ${RELATIONSHIP_COLUMNS} FROM Relationship WHERE kind = 'user' AND persona1Id = @p AND persona2Id = @u`)
  const events = db.prepare<{ r: string }, Raw>(
    'SELECT id, quality, durationMinutes, context, deltas, createdAt FROM RelationshipEvent WHERE relationshipId = @r ORDER BY createdAt, id')
  const conversations = db.prepare<{ p: string, u: string }, Raw>(
    `SELECT ${CONVERSATION_COLUMNS} FROM Conversation WHERE kind = 'user' AND personaId = @p AND userId = @u ORDER BY startedAt, id`)
  const messages = db.prepare<{ c: string }, Raw>(`SELECT ${MESSAGE_COLUMNS} FROM Message WHERE conversationId = @c ORDER BY turnNumber, createdAt`)

  const read = db.transaction((p: string, u: string) => {
    const rel = relationship.get({ p, u })
    return {
      memories: memories.all({ p, u }).map((m) => ({
        ...timeOf(m, 'lastAccessedAt', 'createdAt'),
        relatedPersonas: json(m.relatedPersonas),
        metadata: json(m.metadata),
        embedding: m.embedding === null ? null : blobToVector(m.embedding as Uint8Array),
      }) as unknown as BundleMemoryRow),
      relationship: rel === undefined
        ? null
        : {
            ...timeOf(rel, 'lastInteraction', 'firstMeeting'),
            ...Object.fromEntries(RELATIONSHIP_JSON.map((c) => [c, json(rel[c])])),
            id: undefined,
            events: events.all({ r: rel.id as string }).map((e) => ({ ...timeOf(e, 'createdAt'), deltas: json(e.deltas) }) as unknown as BundleEventRow),
          } as unknown as BundleRelationshipRow,
      conversations: conversations.all({ p, u }).map((c) => ({
        ...timeOf(c, 'startedAt', 'lastActivityAt', 'endedAt'),
        messages: messages.all({ c: c.id as string }).map((m) => timeOf(m, 'createdAt') as unknown as BundleMessageRow),
      }) as unknown as BundleConversationRow),
    }
  })

  const insertMemory = db.prepare(`INSERT INTO Memory (personaId, userId, ${MEMORY_COLUMNS}) VALUES (@personaId, @userId, ${params(MEMORY_COLUMNS)})`)
  const dropRelationship = db.prepare("DELETE FROM Relationship WHERE kind = 'user' AND persona1Id = @p AND persona2Id = @u")
  const insertRelationship = db.prepare(`INSERT INTO Relationship (id, kind, persona1Id, persona2Id, ${RELATIONSHIP_COLUMNS})
    VALUES (@id, 'user', @personaId, @userId, ${params(RELATIONSHIP_COLUMNS)})`)
  const insertEvent = db.prepare(`INSERT INTO RelationshipEvent (id, relationshipId, quality, durationMinutes, context, deltas, createdAt)
    VALUES (@id, @relationshipId, @quality, @durationMinutes, @context, @deltas, @createdAt)`)
  const insertConversation = db.prepare(`INSERT INTO Conversation (kind, sessionId, userId, personaId, ${CONVERSATION_COLUMNS})
    VALUES ('user', NULL, @userId, @personaId, ${params(CONVERSATION_COLUMNS)})`)
  const insertMessage = db.prepare(`INSERT INTO Message (conversationId, ${MESSAGE_COLUMNS}) VALUES (@conversationId, ${params(MESSAGE_COLUMNS)})`)

  const restore = db.transaction((personaId: string, userId: string, rows: BundleRestore) => {
    const owner = { personaId, userId }
    for (const m of rows.memories) {
      insertMemory.run({
        ...m, ...owner, relatedPersonas: JSON.stringify(m.relatedPersonas), metadata: JSON.stringify(m.metadata),
        lastAccessedAt: sqlTime(m.lastAccessedAt), createdAt: sqlTime(m.createdAt), embedding: vectorToBlob(m.embedding),
      })
    }
    if (rows.relationship) {
      const { events: relEvents, ...rel } = rows.relationship
      const id = randomUUID()
      // the bundle's relationship is the one the user had: it replaces any the user has here (events go with it)
      dropRelationship.run({ p: personaId, u: userId })
      insertRelationship.run({
        ...rel, ...owner, id, ...Object.fromEntries(RELATIONSHIP_JSON.map((c) => [c, JSON.stringify(rel[c] ?? null)])),
        lastInteraction: sqlTime(rel.lastInteraction), firstMeeting: sqlTime(rel.firstMeeting),
      })
      for (const e of relEvents) insertEvent.run({ ...e, relationshipId: id, deltas: JSON.stringify(e.deltas), createdAt: sqlTime(e.createdAt) })
    }
    for (const { messages: transcript, ...c } of rows.conversations) {
      insertConversation.run({
        ...c, ...owner, startedAt: sqlTime(c.startedAt), lastActivityAt: sqlTime(c.lastActivityAt), endedAt: sqlTime(c.endedAt),
      })
      for (const m of transcript) insertMessage.run({ ...m, conversationId: c.id, createdAt: sqlTime(m.createdAt) })
    }
  })

  return {
    async rows (personaId, userId) { return read(personaId, userId) },
    async restore (personaId, userId, rows) { restore.immediate(personaId, userId, rows) },
  }
}
