import type { RelationshipType } from '../../relationships/rules.ts'
import type { Relationship, RelationshipKind } from '../../relationships/types.ts'
import { columnList, type Dated, type ToDate } from './columns.ts'

// The Relationship columns a relationship is read from, on either database.

export type RelationshipRow<D> = Dated<Omit<Relationship, 'kind' | 'relationshipType'> & { kind: string, relationshipType: string }, D>

export const RELATIONSHIP_COLUMNS = columnList(['id', 'kind', 'persona1Id', 'persona2Id', 'affinity', 'trust', 'respect', 'intimacy',
  'relationshipType', 'interactionCount', 'totalInteractionTime', 'lastInteraction', 'firstMeeting', 'recentInteractionQuality'])

export const relationshipFromRow = <D>(date: ToDate<D>) => (row: RelationshipRow<D>): Relationship => ({
  ...row,
  kind: row.kind as RelationshipKind,
  relationshipType: row.relationshipType as RelationshipType,
  lastInteraction: row.lastInteraction === null ? null : date(row.lastInteraction),
  firstMeeting: date(row.firstMeeting),
})
