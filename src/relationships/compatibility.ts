import type { Scores } from '../personas/types.ts'
import { relationshipStrength, type Dimensions } from './rules.ts'

// The CompatibilityEngine of original-api.md section 5 (relationship.compatibility), kept to the earlier
// server's arithmetic so the worked example (Aria/Kira 0.667 very_good) comes out exactly.

export interface CompatibilityPersona {
  id: string
  name: string
  /** trait -> 0..100 */
  personalityTraits: Scores
  /** topic -> 0..100 */
  topicPreferences: Scores
  charisma: number
  intelligence: number
  socialRank: string
}

export interface CompatibilityRules {
  compatibilityWeights: { personality: number, social: number, interests: number, history: number }
  predictions: { excellent: number, veryGood: number, good: number, challenging: number }
}

export type Prediction = 'excellent' | 'very_good' | 'good' | 'challenging' | 'difficult'

export interface CompatibilityResult {
  compatibility_analysis: { overall: number, personality: number, social: number, interests: number, history: number, prediction: Prediction }
  interaction_suggestions: { interaction_style: string, recommended_topics: string[], potential_challenges: string[], relationship_potential: string, interaction_frequency: string }
}

// |weight| of each Big-Five trait; the earlier server's neuroticism weight is negative but only its size is used
const BIG_FIVE: Readonly<Record<string, number>> = { openness: 0.2, conscientiousness: 0.15, extraversion: 0.25, agreeableness: 0.25, neuroticism: 0.15 }
const RANKS: Readonly<Record<string, number>> = { noble: 4, merchant: 3, artisan: 2, commoner: 1, peasant: 0 }
const TIERS = [
  { above: 0.8, style: 'collaborative_enthusiastic', potential: 'excellent_friends', frequency: 'frequent' },
  { above: 0.6, style: 'friendly_engaging', potential: 'good_friends', frequency: 'regular' },
  { above: 0.4, style: 'respectful_cautious', potential: 'cordial_acquaintances', frequency: 'occasional' },
  { above: Number.NEGATIVE_INFINITY, style: 'formal_distant', potential: 'professional_only', frequency: 'minimal' },
] as const

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x))
// toFixed rounds the exact binary value, as Python's round does: 0.6675 is stored just below and gives 0.667
const round3 = (x: number): number => Number(x.toFixed(3))
const has = (s: Scores, k: string): boolean => Object.hasOwn(s, k)
// Our traits are 0..100; the earlier server compared Big-Five values on 0..1
const trait = (s: Scores, k: string): number => (has(s, k) ? s[k] : 50) / 100

export function personalityCompatibility (p1: CompatibilityPersona, p2: CompatibilityPersona): number {
  const [t1, t2] = [p1.personalityTraits, p2.personalityTraits]
  let total = 0
  let weights = 0
  for (const [name, weight] of Object.entries(BIG_FIVE)) {
    if (!has(t1, name) || !has(t2, name)) continue
    const a = trait(t1, name)
    const b = trait(t2, name)
    const diff = Math.abs(a - b)
    // low neuroticism on both sides is best; a little extraversion difference is fine
    const score = name === 'neuroticism' ? 1 - diff - Math.max(a, b) * 0.3
      : name === 'extraversion' ? (diff < 0.5 ? 1 - diff * 0.7 : 1 - diff)
        : 1 - diff
    total += clamp01(score) * weight
    weights += weight
  }
  return weights > 0 ? clamp01(total / weights) : 0.5
}

export function rankCompatibility (rank1: string, rank2: string): number {
  const level = (r: string): number => (Object.hasOwn(RANKS, r) ? RANKS[r] : 1)
  const gap = Math.abs(level(rank1) - level(rank2))
  return gap === 0 ? 1 : gap === 1 ? 0.8 : gap === 2 ? 0.6 : 0.3
}

export function socialCompatibility (p1: CompatibilityPersona, p2: CompatibilityPersona): number {
  const charisma = Math.min(1, (p1.charisma + p2.charisma) / 40)
  const gap = Math.abs(p1.intelligence - p2.intelligence)
  const intelligence = gap <= 3 ? 1 : gap <= 6 ? 0.8 : 0.5
  return clamp01(charisma * 0.4 + intelligence * 0.4 + rankCompatibility(p1.socialRank, p2.socialRank) * 0.2)
}

/** Similarity of the topics both care about (> 20), plus a bonus for the share of topics both list at all. */
export function interestCompatibility (p1: CompatibilityPersona, p2: CompatibilityPersona): number {
  const [i1, i2] = [p1.topicPreferences, p2.topicPreferences]
  const [k1, k2] = [Object.keys(i1), Object.keys(i2)]
  if (k1.length === 0 || k2.length === 0) return 0.5
  const common = k1.filter((k) => has(i2, k))
  if (common.length === 0) return 0.3
  let total = 0
  let weights = 0
  for (const topic of common) {
    const a = i1[topic]
    const b = i2[topic]
    if (a <= 20 || b <= 20) continue
    const weight = (a + b) / 200
    total += (1 - Math.abs(a - b) / 100) * weight
    weights += weight
  }
  const base = weights > 0 ? total / weights : 0.3
  return clamp01(base + common.length / Math.max(k1.length, k2.length) * 0.2)
}

/** Up to 5 topics both rate above 30, the most shared interest first (ties by name, for a stable answer). */
export function sharedTopics (p1: CompatibilityPersona, p2: CompatibilityPersona): string[] {
  const [i1, i2] = [p1.topicPreferences, p2.topicPreferences]
  return Object.keys(i1)
    .filter((t) => has(i2, t) && i1[t] > 30 && i2[t] > 30)
    .sort((a, b) => (i1[b] + i2[b]) - (i1[a] + i2[a]) || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, 5)
}

export function prediction (overall: number, p: CompatibilityRules['predictions']): Prediction {
  return overall > p.excellent ? 'excellent' : overall > p.veryGood ? 'very_good'
    : overall > p.good ? 'good' : overall > p.challenging ? 'challenging' : 'difficult'
}

export function analyseCompatibility (p1: CompatibilityPersona, p2: CompatibilityPersona, existing: Dimensions | null,
  rules: CompatibilityRules): CompatibilityResult {
  const w = rules.compatibilityWeights
  const personality = personalityCompatibility(p1, p2)
  const social = socialCompatibility(p1, p2)
  const interests = interestCompatibility(p1, p2)
  const history = existing ? clamp01((relationshipStrength(existing) + 1) / 2) : 0.5
  const overall = personality * w.personality + social * w.social + interests * w.interests + history * w.history
  const analysis = {
    overall: round3(overall),
    personality: round3(personality),
    social: round3(social),
    interests: round3(interests),
    history: round3(history),
    prediction: prediction(overall, rules.predictions),
  }
  // as in the earlier server, tiers and challenges read the rounded values
  const tier = TIERS.find((t) => analysis.overall > t.above)!
  const challenges: string[] = []
  if (analysis.personality < 0.4) challenges.push('personality_clash')
  if (analysis.social < 0.4) challenges.push('social_mismatch')
  if (analysis.interests < 0.3) challenges.push('few_shared_interests')
  const [t1, t2] = [p1.personalityTraits, p2.personalityTraits]
  if (trait(t1, 'neuroticism') > 0.7 || trait(t2, 'neuroticism') > 0.7) challenges.push('high_stress_potential')
  if (Math.abs(trait(t1, 'extraversion') - trait(t2, 'extraversion')) > 0.6) challenges.push('energy_level_mismatch')
  return {
    compatibility_analysis: analysis,
    interaction_suggestions: {
      interaction_style: tier.style,
      recommended_topics: sharedTopics(p1, p2),
      potential_challenges: challenges,
      relationship_potential: tier.potential,
      interaction_frequency: tier.frequency,
    },
  }
}
