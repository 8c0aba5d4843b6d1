import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { PrismaClient, Relationship as RelationshipRow } from '../generated/prisma/client.ts'
import { toSqlTime } from '../store/sqlite/sql-time.ts'
import type { Dimensions, RelationshipType, RelationshipValues } from './rules.ts'

export type RelationshipKind = 'persona' | 'user'

/** A relationship with its parties: persona-to-persona (ids ordered) or a persona and a user. */
export interface Relationship extends RelationshipValues {
  id: string
  kind: RelationshipKind
  persona1Id: string
  persona2Id: string
}

/** Lookups ignore order for persona pairs: the pair is stored with the smaller id first. */
export const pairKey = (kind: RelationshipKind, a: string, b: string): [string, string] =>
  kind === 'persona' && b < a ? [b, a] : [a, b]

const toRelationship = (row: RelationshipRow): Relationship => ({
  id: row.id,
  kind: row.kind as RelationshipKind,
  persona1Id: row.persona1Id,
  persona2Id: row.persona2Id,
  affinity: row.affinity,
  trust: row.trust,
  respect: row.respect,
  intimacy: row.intimacy,
  relationshipType: row.relationshipType as RelationshipType,
  interactionCount: row.interactionCount,
  totalInteractionTime: row.totalInteractionTime,
  lastInteraction: row.lastInteraction,
  firstMeeting: row.firstMeeting,
  recentInteractionQuality: row.recentInteractionQuality,
})

export function createRelationshipRepository (prisma: PrismaClient, sqlite: Database.Database) {
  // every user chat turn reads (for the prompt) and writes (after it) a relationship: cached, and
  // written with prepared statements in one transaction, not Prisma round trips
  const cache = new Map<string, Relationship | null>()
  const key = (kind: RelationshipKind, persona1Id: string, persona2Id: string) => `${kind}:${persona1Id}:${persona2Id}`
  const upsert = sqlite.prepare(`INSERT INTO Relationship (id, kind, persona1Id, persona2Id, affinity, trust, respect, intimacy, relationshipType,
      interactionCount, totalInteractionTime, lastInteraction, firstMeeting, sharedExperiences, memorableMoments, conflictHistory,
      recentInteractionQuality, compatibilityFactors)
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
    const { id } = upsert.get(row) as { id: string }
    insertEvent.run(randomUUID(), id, ...event, toSqlTime())
    return id
  })

  return {
    async find (kind: RelationshipKind, a: string, b: string): Promise<Relationship | null> {
      const [persona1Id, persona2Id] = pairKey(kind, a, b)
      const k = key(kind, persona1Id, persona2Id)
      const cached = cache.get(k)
      if (cached !== undefined) return cached
      const row = await prisma.relationship.findUnique({ where: { kind_persona1Id_persona2Id: { kind, persona1Id, persona2Id } } })
      const found = row && toRelationship(row)
      cache.set(k, found)
      return found
    },

    /** Stores the new values and the interaction that produced them, together. */
    async save (kind: RelationshipKind, a: string, b: string, values: RelationshipValues,
      event: { quality: number, minutes: number, context: string, deltas: Dimensions }): Promise<Relationship> {
      const [persona1Id, persona2Id] = pairKey(kind, a, b)
      const id = write({
        id: randomUUID(), kind, persona1Id, persona2Id,
        affinity: values.affinity, trust: values.trust, respect: values.respect, intimacy: values.intimacy,
        relationshipType: values.relationshipType, interactionCount: values.interactionCount, totalInteractionTime: values.totalInteractionTime,
        lastInteraction: values.lastInteraction && toSqlTime(values.lastInteraction.getTime()), firstMeeting: toSqlTime(values.firstMeeting.getTime()),
        recentInteractionQuality: values.recentInteractionQuality,
      }, [event.quality, event.minutes, event.context, JSON.stringify(event.deltas)])
      const saved: Relationship = { ...values, id, kind, persona1Id, persona2Id }
      cache.set(key(kind, persona1Id, persona2Id), saved)
      return saved
    },

    /** A persona's relationships are gone with it (its row cascades; the cache must follow). */
    forget (personaId: string): void {
      for (const [k, rel] of cache) if (rel === null || rel.persona1Id === personaId || rel.persona2Id === personaId) cache.delete(k)
    },

    async forPersona (personaId: string, kind: RelationshipKind = 'persona'): Promise<Relationship[]> {
      const rows = await prisma.relationship.findMany({
        where: { kind, OR: [{ persona1Id: personaId }, ...(kind === 'persona' ? [{ persona2Id: personaId }] : [])] },
        orderBy: { lastInteraction: 'desc' },
      })
      return rows.map(toRelationship)
    },

    async all (kind: RelationshipKind = 'persona'): Promise<Relationship[]> {
      return (await prisma.relationship.findMany({ where: { kind } })).map(toRelationship)
    },
  }
}

export type RelationshipRepository = ReturnType<typeof createRelationshipRepository>
