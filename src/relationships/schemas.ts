import { Type } from '@sinclair/typebox'
import { PersonaRef } from '../personas/schemas.ts'
import { RELATIONSHIP_TYPES } from './rules.ts'

// Wire shapes of relationships and moods (snake_case, original-api.md sections 5 and 6), shared by the
// JSON-RPC methods, the admin API and the MCP tools.

const Fraction = Type.Number({ minimum: 0, maximum: 1 })
const Time = Type.String({ format: 'date-time' })

export const RelationshipKind = Type.Union([Type.Literal('persona'), Type.Literal('user')], {
  description: 'persona: between two personas; user: a persona (persona1_id) and a user (persona2_id is the user id)',
})
export const RelationshipTypeName = Type.Union(RELATIONSHIP_TYPES.map((t) => Type.Literal(t)))

/** The four dimensions and what they add up to, shared by every view of a relationship. */
const Standing = {
  affinity: Fraction,
  trust: Fraction,
  respect: Fraction,
  intimacy: Fraction,
  relationship_type: RelationshipTypeName,
  compatibility_score: Type.Number({ minimum: 0, maximum: 1 }),
}

export const RelationshipView = Type.Object({
  persona1_id: Type.String(),
  persona2_id: Type.String(),
  ...Standing,
  interaction_count: Type.Integer({ minimum: 0 }),
  total_interaction_time: Type.Number({ minimum: 0, description: 'minutes' }),
  relationship_strength: Type.Number(),
  last_interaction: Type.Union([Time, Type.Null()]),
  first_meeting: Time,
})

/** relationship.list: one of a persona's relationships, seen from that persona. */
export const RelationshipSummary = Type.Object({
  other_persona_id: Type.String(),
  ...Standing,
  interaction_count: Type.Integer({ minimum: 0 }),
  last_interaction: Type.Union([Time, Type.Null()]),
  relationship_strength: Type.Number(),
})

/** The admin API's view: a relationship.get relationship and which kind it is. */
export const AdminRelationshipView = Type.Object({ kind: RelationshipKind, ...RelationshipView.properties })

export const RelationshipPair = Type.Object({ persona1_id: PersonaRef, persona2_id: PersonaRef })

const PersonaBrief = Type.Object({ id: Type.String(), name: Type.String() })
export const CompatibilityView = Type.Object({
  persona1: PersonaBrief,
  persona2: PersonaBrief,
  compatibility_analysis: Type.Object({
    overall: Type.Number({ minimum: 0, description: 'the weighted sum of the four (compatibilityWeights)' }),
    personality: Fraction,
    social: Fraction,
    interests: Fraction,
    history: Fraction,
    prediction: Type.Union(['excellent', 'very_good', 'good', 'challenging', 'difficult'].map((p) => Type.Literal(p))),
  }),
  interaction_suggestions: Type.Object({
    interaction_style: Type.String(),
    recommended_topics: Type.Array(Type.String(), { description: 'up to 5 topics both care about' }),
    potential_challenges: Type.Array(Type.String()),
    relationship_potential: Type.String(),
    interaction_frequency: Type.String(),
  }),
  existing_relationship: Type.Boolean(),
})

export const RelationshipStatistics = Type.Object({
  total_relationships: Type.Integer({ minimum: 0 }),
  relationship_types: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'relationship type -> how many' }),
  average_compatibility: Type.Number({ minimum: 0, maximum: 1 }),
  total_interactions: Type.Integer({ minimum: 0 }),
  most_active_personas: Type.Array(Type.Object({ persona_id: Type.String(), interactions: Type.Integer({ minimum: 0 }) }), { maxItems: 5 }),
})

export const InteractionProcessed = Type.Object({ quality: Type.Number(), duration_minutes: Type.Number(), context: Type.String() })
export const UpdatedRelationship = Type.Object(Standing)

export const EmotionView = Type.Object({
  mood: Type.Number({ minimum: -1, maximum: 1 }),
  energy_level: Fraction,
  stress_level: Fraction,
  curiosity: Fraction,
  social_battery: Fraction,
  last_updated: Time,
})

/** emotional.get_state, and the admin API's emotional-state routes */
export const PersonaEmotion = Type.Object({ persona_id: Type.String(), emotional_state: EmotionView })
