import type { Dimensions, RelationshipValues } from './rules.ts'

export type RelationshipKind = 'persona' | 'user'

/** A relationship with its parties: persona-to-persona (ids ordered) or a persona and a user. */
export interface Relationship extends RelationshipValues {
  id: string
  kind: RelationshipKind
  /** the persona (kind user), or the smaller persona id (kind persona) */
  persona1Id: string
  /** the user id (kind user), or the larger persona id (kind persona) */
  persona2Id: string
}

/** One interaction as the event log keeps it, beside the values it produced. */
export interface RelationshipEvent {
  quality: number
  minutes: number
  context: string
  /** what each dimension changed by, after clamping */
  deltas: Dimensions
}

/** Lookups ignore order for persona pairs: the pair is stored with the smaller id first. */
export const pairKey = (kind: RelationshipKind, a: string, b: string): [string, string] =>
  kind === 'persona' && b < a ? [b, a] : [a, b]
