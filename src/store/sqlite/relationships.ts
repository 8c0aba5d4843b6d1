import { randomUUID } from 'node:crypto'
import type { RelationshipRepository } from '../../relationships/repository.ts'
import { fromText } from '../rows/columns.ts'
import { RELATIONSHIP_COLUMNS as COLUMNS, relationshipFromRow, type RelationshipRow as Row } from '../rows/relationship.ts'
import type { SqliteDatabase } from './database.ts'
import { toSqlTime } from './sql-time.ts'

type RelationshipRow = Row<string>

// most recent interaction first, never-interacted last, then by id so pages are stable
const RECENT_FIRST = 'ORDER BY lastInteraction IS NULL, lastInteraction DESC, id'
const FOR_PERSONA = `kind = @kind AND (persona1Id = @personaId OR (@kind = 'persona' AND persona2Id = @personaId))`

const toRelationship = relationshipFromRow(fromText)

/** Relationships and their event log; every user chat turn reads and writes one, so all prepared statements. */
export function createSqliteRelationshipRepository ({ sqlite }: SqliteDatabase): RelationshipRepository {
  const findOne = sqlite.prepare<[string, string, string], RelationshipRow>(
    `SELECT ${COLUMNS} FROM Relationship WHERE kind = ? AND persona1Id = ? AND persona2Id = ?`)
  const forPersona = sqlite.prepare<{ kind: string, personaId: string }, RelationshipRow>(
    `SELECT ${COLUMNS} FROM Relationship WHERE ${FOR_PERSONA} ${RECENT_FIRST}`)
  const all = sqlite.prepare<[string], RelationshipRow>(`SELECT ${COLUMNS} FROM Relationship WHERE kind = ? ${RECENT_FIRST}`)
  const pageOf = sqlite.prepare<{ kind: string, personaId: string | null, limit: number, offset: number }, RelationshipRow>(
    `SELECT ${COLUMNS} FROM Relationship WHERE (@personaId IS NULL AND kind = @kind) OR (@personaId IS NOT NULL AND ${FOR_PERSONA})
     ${RECENT_FIRST} LIMIT @limit OFFSET @offset`)
  const countOf = sqlite.prepare<{ kind: string, personaId: string | null }, { n: number }>(
    `SELECT COUNT(*) AS n FROM Relationship WHERE (@personaId IS NULL AND kind = @kind) OR (@personaId IS NOT NULL AND ${FOR_PERSONA})`)
  const upsert = sqlite.prepare<Record<string, unknown>, { id: string }>(`INSERT INTO Relationship (id, kind, persona1Id, persona2Id, affinity,
      trust, respect, intimacy, relationshipType, interactionCount, totalInteractionTime, lastInteraction, firstMeeting, sharedExperiences,
      memorableMoments, conflictHistory, recentInteractionQuality, compatibilityFactors)
    VALUES (@id, @kind, @persona1Id, @persona2Id, @affinity, @trust, @respect, @intimacy, @relationshipType, @interactionCount,
      @totalInteractionTime, @lastInteraction, @firstMeeting, '[]', '[]', '[]', @recentInteractionQuality, '{}')
    ON CONFLICT (kind, persona1Id, persona2Id) DO UPDATE SET affinity = excluded.affinity, trust = excluded.trust,
      respect = excluded.respect, intimacy = excluded.intimacy, relationshipType = excluded.relationshipType,
      interactionCount = excluded.interactionCount, totalInteractionTime = excluded.totalInteractionTime,
      lastInteraction = excluded.lastInteraction, recentInteractionQuality = excluded.recentInteractionQuality
    RETURNING id`)
  const insertEvent = sqlite.prepare(`INSERT INTO RelationshipEvent (id, relationshipId, quality, durationMinutes, context, deltas, createdAt)
    VALUES (?, ?, ?, ?, ?, ?, ?)`)
  const write = sqlite.transaction((row: Record<string, unknown>, event: [number, number, string, string]) => {
    const { id } = upsert.get(row)!
    insertEvent.run(randomUUID(), id, ...event, toSqlTime())
    return id
  })

  return {
    async find (kind, persona1Id, persona2Id) {
      const row = findOne.get(kind, persona1Id, persona2Id)
      return row === undefined ? null : toRelationship(row)
    },

    async save (rel, event) {
      const id = write({
        id: randomUUID(), kind: rel.kind, persona1Id: rel.persona1Id, persona2Id: rel.persona2Id,
        affinity: rel.affinity, trust: rel.trust, respect: rel.respect, intimacy: rel.intimacy,
        relationshipType: rel.relationshipType, interactionCount: rel.interactionCount, totalInteractionTime: rel.totalInteractionTime,
        lastInteraction: rel.lastInteraction && toSqlTime(rel.lastInteraction.getTime()), firstMeeting: toSqlTime(rel.firstMeeting.getTime()),
        recentInteractionQuality: rel.recentInteractionQuality,
      }, [event.quality, event.minutes, event.context, JSON.stringify(event.deltas)])
      return { ...rel, id }
    },

    async listForPersona (personaId, kind) { return forPersona.all({ kind, personaId }).map(toRelationship) },

    async listAll (kind) { return all.all(kind).map(toRelationship) },

    async page ({ kind, personaId, limit, offset }) {
      const where = { kind, personaId: personaId ?? null }
      return { items: pageOf.all({ ...where, limit, offset }).map(toRelationship), total: countOf.get(where)!.n }
    },
  }
}
