import { randomUUID } from 'node:crypto'
import type { RelationshipRepository } from '../../relationships/repository.ts'
import { asDate } from '../rows/columns.ts'
import { RELATIONSHIP_COLUMNS as COLUMNS, relationshipFromRow, type RelationshipRow as Row } from '../rows/relationship.ts'
import type { PostgresDatabase } from './database.ts'

type RelationshipRow = Row<Date>

// most recent interaction first, never-interacted last, then by id compared bytewise as SQLite does (whatever the database's collation)
const RECENT_FIRST = 'ORDER BY "lastInteraction" DESC NULLS LAST, id COLLATE "C"'
const FOR_PERSONA = `kind = $1 AND ("persona1Id" = $2 OR ($1 = 'persona' AND "persona2Id" = $2))`

// The caller computed the values from the row it read (interactionCount - 1 interactions before). When the row
// still has that count, nobody saved in between and the values are stored as given; otherwise another instance
// did, and this interaction's deltas go on top of what it stored (clamped to 0..1 as applyInteraction does), so
// neither interaction is lost. One statement with the event insert: atomic without a round trip held open.
const FRESH = 'r."interactionCount" = EXCLUDED."interactionCount" - 1'
const onTop = (column: string, delta: string) => `${column} = CASE WHEN ${FRESH} THEN EXCLUDED.${column} ELSE LEAST(1, GREATEST(0, r.${column} + ${delta})) END`
const SAVE = `WITH saved AS (
    INSERT INTO "Relationship" AS r (id, kind, "persona1Id", "persona2Id", affinity, trust, respect, intimacy, "relationshipType",
      "interactionCount", "totalInteractionTime", "lastInteraction", "firstMeeting", "sharedExperiences", "memorableMoments",
      "conflictHistory", "recentInteractionQuality", "compatibilityFactors")
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, '[]', '[]', '[]', $14, '{}')
    ON CONFLICT (kind, "persona1Id", "persona2Id") DO UPDATE SET
      ${onTop('affinity', '$15')}, ${onTop('trust', '$16')}, ${onTop('respect', '$17')}, ${onTop('intimacy', '$18')},
      "relationshipType" = EXCLUDED."relationshipType",
      "interactionCount" = r."interactionCount" + 1,
      "totalInteractionTime" = CASE WHEN ${FRESH} THEN EXCLUDED."totalInteractionTime" ELSE r."totalInteractionTime" + $19 END,
      "lastInteraction" = CASE WHEN ${FRESH} THEN EXCLUDED."lastInteraction" ELSE GREATEST(r."lastInteraction", EXCLUDED."lastInteraction") END,
      "recentInteractionQuality" = EXCLUDED."recentInteractionQuality"
    RETURNING ${COLUMNS}
  ), event AS (
    INSERT INTO "RelationshipEvent" (id, "relationshipId", quality, "durationMinutes", context, deltas, "createdAt")
    SELECT $20, id, $21, $22, $23, $24::jsonb, $25 FROM saved
  )
  SELECT ${COLUMNS} FROM saved`

const toRelationship = relationshipFromRow(asDate)

// pg would send a Date in the process's local zone; the columns are TIMESTAMP(3) in UTC, so ISO text (its zone is ignored)
const utc = (at: Date | null) => (at === null ? null : at.toISOString())

/** Relationships and their event log; every user chat turn reads and writes one, so all prepared statements. */
export function createPostgresRelationshipRepository ({ pool }: PostgresDatabase): RelationshipRepository {
  const rows = async (name: string, text: string, values: unknown[]) =>
    (await pool.query<RelationshipRow>({ name, text, values })).rows.map(toRelationship)
  const count = async (name: string, text: string, values: unknown[]) =>
    Number((await pool.query<{ n: string }>({ name, text, values })).rows[0]!.n)

  return {
    async find (kind, persona1Id, persona2Id) {
      const [found] = await rows('relationship-find',
        `SELECT ${COLUMNS} FROM "Relationship" WHERE kind = $1 AND "persona1Id" = $2 AND "persona2Id" = $3`, [kind, persona1Id, persona2Id])
      return found ?? null
    },

    async save (rel, event) {
      const { deltas } = event
      const [saved] = await rows('relationship-save', SAVE, [
        randomUUID(), rel.kind, rel.persona1Id, rel.persona2Id, rel.affinity, rel.trust, rel.respect, rel.intimacy,
        rel.relationshipType, rel.interactionCount, rel.totalInteractionTime, utc(rel.lastInteraction), utc(rel.firstMeeting),
        rel.recentInteractionQuality, deltas.affinity, deltas.trust, deltas.respect, deltas.intimacy, event.minutes,
        randomUUID(), event.quality, event.minutes, event.context, JSON.stringify(deltas), utc(new Date()),
      ])
      return saved!
    },

    async listForPersona (personaId, kind) {
      return await rows('relationship-for-persona', `SELECT ${COLUMNS} FROM "Relationship" WHERE ${FOR_PERSONA} ${RECENT_FIRST}`, [kind, personaId])
    },

    async listAll (kind) {
      return await rows('relationship-all', `SELECT ${COLUMNS} FROM "Relationship" WHERE kind = $1 ${RECENT_FIRST}`, [kind])
    },

    async page ({ kind, personaId, limit, offset }) {
      // two statements rather than one with "$2 IS NULL OR ...": each gets a plan that uses its index
      const [items, total] = personaId === undefined
        ? await Promise.all([
          rows('relationship-page', `SELECT ${COLUMNS} FROM "Relationship" WHERE kind = $1 ${RECENT_FIRST} LIMIT $2 OFFSET $3`, [kind, limit, offset]),
          count('relationship-count', 'SELECT count(*) AS n FROM "Relationship" WHERE kind = $1', [kind]),
        ])
        : await Promise.all([
          rows('relationship-page-for-persona', `SELECT ${COLUMNS} FROM "Relationship" WHERE ${FOR_PERSONA} ${RECENT_FIRST} LIMIT $3 OFFSET $4`,
            [kind, personaId, limit, offset]),
          count('relationship-count-for-persona', `SELECT count(*) AS n FROM "Relationship" WHERE ${FOR_PERSONA}`, [kind, personaId]),
        ])
      return { items, total }
    },
  }
}
