import type { Static } from '@sinclair/typebox'
import type { EmotionalState } from './emotions.ts'
import { compatibilityScore, relationshipStrength } from './rules.ts'
import type { CompatibilityView, EmotionView, RelationshipSummary, RelationshipView, UpdatedRelationship } from './schemas.ts'
import type { Relationship } from './types.ts'

// Domain values as their wire shapes (schemas.ts): the types keep each view and its schema together.

const round3 = (x: number) => Math.round(x * 1000) / 1000

/** A relationship as relationship.get sends it (original-api.md section 5). */
export function relationshipView (rel: Relationship): Static<typeof RelationshipView> {
  return {
    persona1_id: rel.persona1Id,
    persona2_id: rel.persona2Id,
    affinity: rel.affinity,
    trust: rel.trust,
    respect: rel.respect,
    intimacy: rel.intimacy,
    relationship_type: rel.relationshipType,
    interaction_count: rel.interactionCount,
    total_interaction_time: rel.totalInteractionTime,
    compatibility_score: round3(compatibilityScore(rel)),
    relationship_strength: round3(relationshipStrength(rel)),
    last_interaction: rel.lastInteraction?.toISOString() ?? null,
    first_meeting: rel.firstMeeting.toISOString(),
  }
}

/** One of a persona's relationships as relationship.list sends it: the other party named. */
export function relationshipSummary (rel: Relationship, personaId: string): Static<typeof RelationshipSummary> {
  const { persona1_id, persona2_id, first_meeting: _, total_interaction_time: __, ...rest } = relationshipView(rel)
  return { other_persona_id: persona1_id === personaId ? persona2_id : persona1_id, ...rest }
}

export function updatedRelationshipView (rel: Relationship): Static<typeof UpdatedRelationship> {
  const v = relationshipView(rel)
  return { affinity: v.affinity, trust: v.trust, respect: v.respect, intimacy: v.intimacy, relationship_type: v.relationship_type, compatibility_score: v.compatibility_score }
}

export function compatibilityView ({ p1, p2, existing, analysis }: {
  p1: { id: string, name: string }, p2: { id: string, name: string }, existing: Relationship | null,
  analysis: Pick<Static<typeof CompatibilityView>, 'compatibility_analysis' | 'interaction_suggestions'>
}): Static<typeof CompatibilityView> {
  return { persona1: { id: p1.id, name: p1.name }, persona2: { id: p2.id, name: p2.name }, ...analysis, existing_relationship: existing !== null }
}

export const emotionView = (state: EmotionalState): Static<typeof EmotionView> => ({
  mood: round3(state.mood),
  energy_level: round3(state.energyLevel),
  stress_level: round3(state.stressLevel),
  curiosity: round3(state.curiosity),
  social_battery: round3(state.socialBattery),
  last_updated: new Date(state.updatedAt).toISOString(),
})
