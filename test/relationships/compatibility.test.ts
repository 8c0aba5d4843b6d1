import t from 'tap'
import { parseConfig } from '../../src/config/load.ts'
import { BUILT_IN_PERSONAS } from '../../src/personas/builtins.ts'
import { analyseCompatibility, interestCompatibility, personalityCompatibility, rankCompatibility, socialCompatibility } from '../../src/relationships/compatibility.ts'
import type { CompatibilityPersona } from '../../src/relationships/compatibility.ts'

// original-api.md section 5 (CompatibilityEngine) with the config defaults.
const rules = parseConfig({}).relationships
const persona = (patch: Partial<CompatibilityPersona> = {}): CompatibilityPersona => ({
  id: 'p', name: 'P', personalityTraits: {}, topicPreferences: {}, charisma: 10, intelligence: 10, socialRank: 'commoner', ...patch,
})
const builtIn = (name: string): CompatibilityPersona => {
  const p = BUILT_IN_PERSONAS.find((b) => b.name === name)!
  return persona({ id: name.toLowerCase(), name, personalityTraits: p.personalityTraits!, topicPreferences: p.topicPreferences!,
    charisma: p.charisma!, intelligence: p.intelligence!, socialRank: p.socialRank! })
}

t.test('config defaults: weights and prediction cut-offs', async (t) => {
  t.same(rules.compatibilityWeights, { personality: 0.35, social: 0.25, interests: 0.25, history: 0.15 })
  t.same(rules.predictions, { excellent: 0.8, veryGood: 0.65, good: 0.5, challenging: 0.35 })
})

t.test('worked example: Aria and Kira', async (t) => {
  const expected = {
    compatibility_analysis: { overall: 0.667, personality: 0.5, social: 0.82, interests: 0.85, history: 0.5, prediction: 'very_good' },
    interaction_suggestions: {
      interaction_style: 'friendly_engaging',
      recommended_topics: ['magic'],
      potential_challenges: [],
      relationship_potential: 'good_friends',
      interaction_frequency: 'regular',
    },
  }
  t.strictSame(analyseCompatibility(builtIn('Aria'), builtIn('Kira'), null, rules), expected)
  t.strictSame(analyseCompatibility(builtIn('Kira'), builtIn('Aria'), null, rules), expected, 'order does not matter')
})

t.test('history: (strength + 1) / 2 of an existing relationship', async (t) => {
  const all = (v: number) => ({ affinity: v, trust: v, respect: v, intimacy: v })
  t.equal(analyseCompatibility(builtIn('Aria'), builtIn('Kira'), all(0.5), rules).compatibility_analysis.history, 0.75)
  t.equal(analyseCompatibility(builtIn('Aria'), builtIn('Kira'), all(0), rules).compatibility_analysis.history, 0.5)
  t.equal(analyseCompatibility(builtIn('Aria'), builtIn('Kira'), all(1), rules).compatibility_analysis.history, 1)
})

t.test('personality: Big-Five keys only (0..100 read as 0..1), else 0.5', async (t) => {
  const a = persona({ personalityTraits: { openness: 80, conscientiousness: 60, extraversion: 70, agreeableness: 90, neuroticism: 20 } })
  const b = persona({ personalityTraits: { openness: 60, conscientiousness: 60, extraversion: 40, agreeableness: 70, neuroticism: 40 } })
  // openness 0.8×0.2, conscientiousness 1×0.15, extraversion (1 − 0.3×0.7)×0.25, agreeableness 0.8×0.25,
  // neuroticism (1 − 0.2 − 0.4×0.3)×0.15; the weights sum to 1
  t.equal(Number(personalityCompatibility(a, b).toFixed(4)), 0.8095)
  t.equal(personalityCompatibility(persona({ personalityTraits: { openness: 80 } }), persona({ personalityTraits: { creative: 80 } })), 0.5, 'no shared Big-Five key')
  t.equal(personalityCompatibility(persona(), persona()), 0.5, 'no traits')
  const ex = (x1: number, x2: number) => personalityCompatibility(persona({ personalityTraits: { extraversion: x1 } }), persona({ personalityTraits: { extraversion: x2 } }))
  t.equal(Number(ex(90, 10).toFixed(3)), 0.2, 'a large extraversion gap scores 1 - diff')
  t.equal(Number(ex(50, 50).toFixed(3)), 1)
  const result = analyseCompatibility(persona({ personalityTraits: { extraversion: 95, neuroticism: 80 } }),
    persona({ personalityTraits: { extraversion: 20, neuroticism: 10 } }), null, rules)
  t.same(result.interaction_suggestions.potential_challenges, ['personality_clash', 'high_stress_potential', 'energy_level_mismatch'])
})

t.test('rank table: noble 4, merchant 3, artisan 2, commoner 1 (also unknown), peasant 0', async (t) => {
  t.equal(rankCompatibility('noble', 'noble'), 1)
  t.equal(rankCompatibility('noble', 'merchant'), 0.8)
  t.equal(rankCompatibility('noble', 'artisan'), 0.6)
  t.equal(rankCompatibility('noble', 'commoner'), 0.3)
  t.equal(rankCompatibility('noble', 'peasant'), 0.3)
  t.equal(rankCompatibility('artisan', 'commoner'), 0.8)
  t.equal(rankCompatibility('merchant', 'peasant'), 0.3)
  t.equal(rankCompatibility('artisan', 'peasant'), 0.6)
  t.equal(rankCompatibility('performer', 'scholar'), 1, 'unknown ranks are commoners')
  t.equal(rankCompatibility('performer', 'peasant'), 0.8)
  t.equal(rankCompatibility('constructor', 'commoner'), 1, 'no prototype lookups')
})

t.test('social: charisma, intelligence gap and rank', async (t) => {
  t.equal(socialCompatibility(persona({ charisma: 20 }), persona({ charisma: 20 })), 1)
  const low = socialCompatibility(persona({ charisma: 1, intelligence: 18, socialRank: 'noble' }), persona({ charisma: 1, intelligence: 3, socialRank: 'peasant' }))
  t.equal(Number(low.toFixed(3)), 0.28, '0.05×0.4 + 0.5×0.4 + 0.3×0.2')
  t.equal(Number(socialCompatibility(persona({ intelligence: 10 }), persona({ intelligence: 16 })).toFixed(3)), 0.72, 'gap 6 scores 0.8: 0.5×0.4 + 0.8×0.4 + 1×0.2')
})

t.test('interests', async (t) => {
  const a = persona({ topicPreferences: { music: 90, art: 80 } })
  t.equal(interestCompatibility(a, persona({ topicPreferences: { research: 90 } })), 0.3, 'no shared topics')
  t.equal(interestCompatibility(a, persona()), 0.5, 'no topics at all')
  t.equal(Number(interestCompatibility(a, persona({ topicPreferences: { music: 10, art: 15 } })).toFixed(3)), 0.5,
    'shared but not both above 20: 0.3 + the shared-topic bonus 0.2')
  t.equal(interestCompatibility(a, persona({ topicPreferences: { music: 90, art: 80 } })), 1, 'identical, capped at 1')
  const many = persona({ topicPreferences: { x: 21, a: 50, b: 50, c: 50, d: 50, e: 50, f: 50, g: 50, h: 50, i: 50 } })
  const result = analyseCompatibility(many, persona({ topicPreferences: { x: 100 } }), null, rules)
  t.equal(result.compatibility_analysis.interests, 0.23)
  t.same(result.interaction_suggestions.potential_challenges, ['few_shared_interests'])
  t.same(result.interaction_suggestions.recommended_topics, [], 'x is not above 30 for both')
  const topics = { a: 40, b: 90, c: 60, d: 60, e: 35, f: 31, g: 30, h: 99 }
  t.same(analyseCompatibility(persona({ topicPreferences: topics }), persona({ topicPreferences: { ...topics, h: 5 } }), null, rules)
    .interaction_suggestions.recommended_topics, ['b', 'c', 'd', 'a', 'e'], 'top 5 above 30, by combined interest then name')
})

t.test('prediction and suggestion tiers', async (t) => {
  const only = { ...rules, compatibilityWeights: { personality: 1, social: 0, interests: 0, history: 0 } }
  const pair = (gap: number) => analyseCompatibility(persona({ personalityTraits: { openness: 100 } }), persona({ personalityTraits: { openness: 100 - gap } }), null, only)
  const cases: Array<[number, string, string, string, string]> = [
    [10, 'excellent', 'collaborative_enthusiastic', 'excellent_friends', 'frequent'],
    [30, 'very_good', 'friendly_engaging', 'good_friends', 'regular'],
    [45, 'good', 'respectful_cautious', 'cordial_acquaintances', 'occasional'],
    [55, 'challenging', 'respectful_cautious', 'cordial_acquaintances', 'occasional'],
    [62, 'challenging', 'formal_distant', 'professional_only', 'minimal'],
    [70, 'difficult', 'formal_distant', 'professional_only', 'minimal'],
  ]
  for (const [gap, prediction, style, potential, frequency] of cases) {
    const r = pair(gap)
    t.equal(r.compatibility_analysis.prediction, prediction, `gap ${gap}: ${prediction}`)
    t.same([r.interaction_suggestions.interaction_style, r.interaction_suggestions.relationship_potential, r.interaction_suggestions.interaction_frequency],
      [style, potential, frequency], `gap ${gap}: ${style}`)
  }
  t.ok(pair(70).interaction_suggestions.potential_challenges.includes('personality_clash'), 'personality below 0.4')
  const mismatch = analyseCompatibility(persona({ charisma: 1, intelligence: 18, socialRank: 'noble' }), persona({ charisma: 1, intelligence: 3, socialRank: 'peasant' }), null, rules)
  t.ok(mismatch.interaction_suggestions.potential_challenges.includes('social_mismatch'), 'social below 0.4')
})
