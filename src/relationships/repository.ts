import type { PrismaClient, Relationship as RelationshipRow } from '../generated/prisma/client.ts'
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

export function createRelationshipRepository (prisma: PrismaClient) {
  return {
    async find (kind: RelationshipKind, a: string, b: string): Promise<Relationship | null> {
      const [persona1Id, persona2Id] = pairKey(kind, a, b)
      const row = await prisma.relationship.findUnique({ where: { kind_persona1Id_persona2Id: { kind, persona1Id, persona2Id } } })
      return row && toRelationship(row)
    },

    /** Stores the new values and the interaction that produced them, together. */
    async save (kind: RelationshipKind, a: string, b: string, values: RelationshipValues,
      event: { quality: number, minutes: number, context: string, deltas: Dimensions }): Promise<Relationship> {
      const [persona1Id, persona2Id] = pairKey(kind, a, b)
      const data = {
        affinity: values.affinity, trust: values.trust, respect: values.respect, intimacy: values.intimacy,
        relationshipType: values.relationshipType, interactionCount: values.interactionCount,
        totalInteractionTime: values.totalInteractionTime, lastInteraction: values.lastInteraction,
        recentInteractionQuality: values.recentInteractionQuality,
      }
      const row = await prisma.$transaction(async (tx) => {
        const saved = await tx.relationship.upsert({
          where: { kind_persona1Id_persona2Id: { kind, persona1Id, persona2Id } },
          create: {
            kind, persona1Id, persona2Id, ...data, firstMeeting: values.firstMeeting,
            sharedExperiences: [], memorableMoments: [], conflictHistory: [], compatibilityFactors: {},
          },
          update: data,
        })
        await tx.relationshipEvent.create({
          data: { relationshipId: saved.id, quality: event.quality, durationMinutes: event.minutes, context: event.context, deltas: event.deltas },
        })
        return saved
      })
      return toRelationship(row)
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
