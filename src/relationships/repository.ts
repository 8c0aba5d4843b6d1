// The ports the relationships domain needs from a database: relationships (with their event log) and moods.
import type { EmotionalState, EmotionChange } from './emotions.ts'
import type { Relationship, RelationshipEvent, RelationshipKind } from './types.ts'

export interface RelationshipPage {
  items: Relationship[]
  total: number
}

/** Pairs are passed ordered (see pairKey): the repository stores and finds them as given. */
export interface RelationshipRepository {
  find (kind: RelationshipKind, persona1Id: string, persona2Id: string): Promise<Relationship | null>
  /** Stores the new values and the interaction that produced them, together; returns what is stored. */
  save (relationship: Omit<Relationship, 'id'>, event: RelationshipEvent): Promise<Relationship>
  /** A persona's relationships of one kind (either side, for persona pairs), most recent interaction first. */
  listForPersona (personaId: string, kind: RelationshipKind): Promise<Relationship[]>
  listAll (kind: RelationshipKind): Promise<Relationship[]>
  /** One page, most recent interaction first (never-interacted last), then by id: stable across pages. */
  page (query: { kind: RelationshipKind, personaId?: string, limit: number, offset: number }): Promise<RelationshipPage>
}

export interface EmotionRepository {
  find (personaId: string): Promise<EmotionalState | null>
  /**
   * Applies `change` to the stored state (applyEmotionChange; none stored: the initial values) as one atomic
   * step, so changes racing from several instances all count; returns the state stored. Unknown persona: throws.
   * `known`: the state this instance last read or stored; while the row still holds exactly that, the store
   * may apply the change to it in one conditional write (no lock taken, one round trip).
   */
  change (personaId: string, change: EmotionChange, known?: EmotionalState): Promise<EmotionalState>
}
