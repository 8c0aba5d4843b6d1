// Relationship rules of original-api.md section 5 (RelationshipManager), as pure functions over plain values.

export const RELATIONSHIP_TYPES = ['stranger', 'acquaintance', 'friend', 'close_friend', 'rival', 'enemy',
  'mentor', 'student', 'romantic', 'family'] as const
export type RelationshipType = typeof RELATIONSHIP_TYPES[number]

export const DIMENSIONS = ['affinity', 'trust', 'respect', 'intimacy'] as const
export type Dimension = typeof DIMENSIONS[number]
export type Dimensions = Record<Dimension, number>

export interface RelationshipValues extends Dimensions {
  relationshipType: RelationshipType
  interactionCount: number
  /** minutes */
  totalInteractionTime: number
  lastInteraction: Date | null
  firstMeeting: Date
  recentInteractionQuality: number
}

export interface Interaction {
  /** the earlier server passes -1..1; anything else is clamped there */
  quality: number
  minutes: number
  context: string
}

export interface TypeThresholds {
  minInteractions: number
  hostileBelow: number
  enemyAffinityBelow: number
  acquaintanceBelow: number
  friendBelow: number
  romanticIntimacyAbove: number
  mentorRespectAbove: number
  mentorInteractionsAbove: number
}

/** Structurally the `relationships` config section, so that section can be passed as is. */
export interface RelationshipRules {
  initialValue: number
  qualityStep: number
  durationNormaliserMinutes: number
  multipliers: Dimensions
  contextBonuses: Readonly<Record<string, Partial<Dimensions>>>
  typeThresholds: TypeThresholds
}

export interface InteractionOutcome {
  values: RelationshipValues
  /** change of each dimension after clamping (what the event log stores) */
  deltas: Dimensions
  created: boolean
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x))

/** min(1, |aff|·0.30 + |trust|·0.25 + |respect|·0.25 + intimacy·0.20), ×1.2 when affinity and trust are both positive. */
export function compatibilityScore (rel: Dimensions): number {
  const base = Math.abs(rel.affinity) * 0.3 + Math.abs(rel.trust) * 0.25 + Math.abs(rel.respect) * 0.25 + rel.intimacy * 0.2
  return Math.min(1, rel.affinity > 0 && rel.trust > 0 ? base * 1.2 : base)
}

/** Intimacy strengthens a warm relationship and deepens a cold one. */
export function relationshipStrength (rel: Dimensions): number {
  return rel.affinity * 0.4 + rel.trust * 0.3 + rel.respect * 0.2 + 0.1 * (rel.affinity > 0 ? rel.intimacy : -rel.intimacy)
}

export function relationshipType (rel: Dimensions, interactionCount: number, t: TypeThresholds): RelationshipType {
  if (interactionCount < t.minInteractions) return 'stranger'
  const average = (rel.affinity + rel.trust + rel.respect + rel.intimacy) / 4
  if (average < t.hostileBelow) return rel.affinity < t.enemyAffinityBelow ? 'enemy' : 'rival'
  if (average < t.acquaintanceBelow) return 'acquaintance'
  if (average < t.friendBelow) return 'friend'
  if (rel.intimacy > t.romanticIntimacyAbove) return 'romantic'
  if (rel.respect > t.mentorRespectAbove && interactionCount > t.mentorInteractionsAbove) return 'mentor'
  return 'close_friend'
}

export function newRelationship (rules: Pick<RelationshipRules, 'initialValue'>, nowMs: number): RelationshipValues {
  const v = rules.initialValue
  return {
    affinity: v, trust: v, respect: v, intimacy: v,
    relationshipType: 'stranger',
    interactionCount: 0,
    totalInteractionTime: 0,
    lastInteraction: null,
    firstMeeting: new Date(nowMs),
    recentInteractionQuality: 0,
  }
}

/**
 * relationship.update: steps of quality × qualityStep × min(1, minutes / normaliser) per dimension, plus the
 * context bonus, clamped to 0..1 (the manager's range, narrower than the model's -1..1). Unknown contexts add no bonus.
 */
export function applyInteraction (rel: RelationshipValues | null, interaction: Interaction, rules: RelationshipRules, nowMs: number): InteractionOutcome {
  const before = rel ?? newRelationship(rules, nowMs)
  const quality = clamp(Number.isFinite(interaction.quality) ? interaction.quality : 0, -1, 1)
  const minutes = Math.max(0, Number.isFinite(interaction.minutes) ? interaction.minutes : 0)
  const step = quality * rules.qualityStep * Math.min(1, minutes / rules.durationNormaliserMinutes)
  // own-property lookup: a context named like an Object.prototype member must not find one
  const bonus = Object.hasOwn(rules.contextBonuses, interaction.context) ? rules.contextBonuses[interaction.context] : undefined
  const next = {} as Dimensions
  const deltas = {} as Dimensions
  for (const d of DIMENSIONS) {
    next[d] = clamp(before[d] + rules.multipliers[d] * step + (bonus?.[d] ?? 0), 0, 1)
    deltas[d] = next[d] - before[d]
  }
  const interactionCount = before.interactionCount + 1
  return {
    values: {
      ...before,
      ...next,
      interactionCount,
      totalInteractionTime: before.totalInteractionTime + minutes,
      lastInteraction: new Date(nowMs),
      recentInteractionQuality: quality,
      relationshipType: relationshipType(next, interactionCount, rules.typeThresholds),
    },
    deltas,
    created: rel === null,
  }
}
