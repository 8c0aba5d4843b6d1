import t from 'tap'
import { parseConfig } from '../../src/config/load.ts'
import { applyInteraction, compatibilityScore, newRelationship, relationshipStrength, relationshipType } from '../../src/relationships/rules.ts'
import type { Dimensions, RelationshipValues } from '../../src/relationships/rules.ts'

// original-api.md section 5 (RelationshipManager) with the config defaults, which must be the earlier server's numbers.
const rules = parseConfig({}).relationships
const NOW = Date.UTC(2030, 0, 1)
const r3 = (x: number): number => Number(x.toFixed(3))
const dims = (d: Dimensions): Dimensions => ({ affinity: r3(d.affinity), trust: r3(d.trust), respect: r3(d.respect), intimacy: r3(d.intimacy) })
const all = (v: number): Dimensions => ({ affinity: v, trust: v, respect: v, intimacy: v })
const rel = (patch: Partial<RelationshipValues> = {}): RelationshipValues => ({ ...newRelationship(rules, NOW - 60_000), ...patch })

t.test('config defaults are the section 5 numbers', async (t) => {
  t.equal(rules.initialValue, 0.5)
  t.equal(rules.qualityStep, 0.1)
  t.equal(rules.durationNormaliserMinutes, 30)
  t.same(rules.multipliers, { affinity: 1, trust: 0.8, respect: 0.9, intimacy: 0.7 })
  t.same(rules.contextBonuses, {
    conflict: { trust: -0.2, affinity: -0.1 },
    collaboration: { trust: 0.1, respect: 0.1 },
    casual: { affinity: 0.1 },
    deep_conversation: { intimacy: 0.1, trust: 0.05 },
    professional: { respect: 0.1 },
  })
  t.equal(rules.userTurnMinutes, 1)
})

t.test('worked example: new relationship, q 0.8, 10 minutes, collaboration', async (t) => {
  const out = applyInteraction(null, { quality: 0.8, minutes: 10, context: 'collaboration' }, rules, NOW)
  t.same(dims(out.values), { affinity: 0.527, trust: 0.621, respect: 0.624, intimacy: 0.519 })
  t.same(dims(out.deltas), { affinity: 0.027, trust: 0.121, respect: 0.124, intimacy: 0.019 })
  t.equal(out.created, true)
  t.equal(out.values.interactionCount, 1)
  t.equal(out.values.totalInteractionTime, 10)
  t.equal(out.values.lastInteraction?.getTime(), NOW)
  t.equal(out.values.firstMeeting.getTime(), NOW)
  t.equal(out.values.relationshipType, 'stranger')
  t.equal(out.values.recentInteractionQuality, 0.8)
})

t.test('an existing relationship accumulates count and time', async (t) => {
  const before = rel({ interactionCount: 4, totalInteractionTime: 12 })
  const out = applyInteraction(before, { quality: 1, minutes: 60, context: 'casual' }, rules, NOW)
  t.equal(out.created, false)
  t.equal(out.values.interactionCount, 5)
  t.equal(out.values.totalInteractionTime, 72)
  t.equal(out.values.firstMeeting, before.firstMeeting, 'first meeting kept')
  // 60 minutes counts as 30: f = 1, so affinity += 0.1 + casual 0.1
  t.equal(r3(out.values.affinity), 0.7)
  t.equal(r3(out.values.trust), 0.58)
  t.notOk(before.interactionCount === 5, 'input not mutated')
})

t.test('every context bonus, alone (quality 0)', async (t) => {
  const cases: Record<string, Dimensions> = {
    conflict: { affinity: 0.4, trust: 0.3, respect: 0.5, intimacy: 0.5 },
    collaboration: { affinity: 0.5, trust: 0.6, respect: 0.6, intimacy: 0.5 },
    casual: { affinity: 0.6, trust: 0.5, respect: 0.5, intimacy: 0.5 },
    deep_conversation: { affinity: 0.5, trust: 0.55, respect: 0.5, intimacy: 0.6 },
    professional: { affinity: 0.5, trust: 0.5, respect: 0.6, intimacy: 0.5 },
    party: all(0.5),
    toString: all(0.5),
  }
  for (const [context, expected] of Object.entries(cases)) {
    const out = applyInteraction(null, { quality: 0, minutes: 10, context }, rules, NOW)
    t.same(dims(out.values), expected, context)
  }
})

t.test('dimensions are clamped to 0..1, quality to -1..1', async (t) => {
  const high = applyInteraction(rel(all(0.95)), { quality: 1, minutes: 30, context: 'collaboration' }, rules, NOW)
  t.same(dims(high.values), { affinity: 1, trust: 1, respect: 1, intimacy: 1 })
  t.equal(r3(high.deltas.trust), 0.05, 'delta is what was actually applied')
  const low = applyInteraction(rel(all(0.05)), { quality: -1, minutes: 30, context: 'conflict' }, rules, NOW)
  t.same(dims(low.values), { affinity: 0, trust: 0, respect: 0, intimacy: 0 })
  const wild = applyInteraction(null, { quality: 5, minutes: 30, context: 'none' }, rules, NOW)
  t.equal(r3(wild.values.affinity), 0.6, 'quality 5 counts as 1')
  const bad = applyInteraction(null, { quality: Number.NaN, minutes: -5, context: 'none' }, rules, NOW)
  t.same(dims(bad.values), all(0.5), 'NaN quality and negative minutes change nothing')
  t.equal(bad.values.totalInteractionTime, 0)
})

t.test('type thresholds', async (t) => {
  const th = rules.typeThresholds
  t.equal(relationshipType(all(0.9), 2, th), 'stranger', 'fewer than 3 interactions')
  t.equal(relationshipType({ affinity: 0.1, trust: 0.3, respect: 0.3, intimacy: 0.3 }, 3, th), 'enemy')
  t.equal(relationshipType({ affinity: 0.2, trust: 0.2, respect: 0.3, intimacy: 0.3 }, 3, th), 'rival', 'affinity 0.2 is not below 0.2')
  t.equal(relationshipType(all(0.3), 3, th), 'acquaintance', 'average 0.3 is not hostile')
  t.equal(relationshipType(all(0.49), 3, th), 'acquaintance')
  t.equal(relationshipType(all(0.5), 3, th), 'friend')
  t.equal(relationshipType(all(0.69), 3, th), 'friend')
  t.equal(relationshipType(all(0.7), 3, th), 'close_friend')
  t.equal(relationshipType({ affinity: 0.7, trust: 0.7, respect: 0.7, intimacy: 0.81 }, 3, th), 'romantic')
  t.equal(relationshipType({ affinity: 0.7, trust: 0.7, respect: 0.7, intimacy: 0.8 }, 3, th), 'close_friend', 'intimacy 0.8 is not above')
  t.equal(relationshipType({ affinity: 0.7, trust: 0.7, respect: 0.9, intimacy: 0.7 }, 11, th), 'mentor')
  t.equal(relationshipType({ affinity: 0.7, trust: 0.7, respect: 0.9, intimacy: 0.7 }, 10, th), 'close_friend', 'mentor needs more than 10')
  t.equal(relationshipType({ affinity: 0.7, trust: 0.7, respect: 0.9, intimacy: 0.9 }, 11, th), 'romantic', 'romantic wins over mentor')
  const third = applyInteraction(rel({ interactionCount: 2 }), { quality: 0, minutes: 0, context: 'none' }, rules, NOW)
  t.equal(third.values.relationshipType, 'friend', 'the third interaction leaves stranger')
})

t.test('derived values', async (t) => {
  t.equal(r3(compatibilityScore(all(0.5))), 0.6, 'x1.2 when affinity and trust are positive')
  t.equal(r3(compatibilityScore({ affinity: -0.5, trust: 0.5, respect: 0.5, intimacy: 0.5 })), 0.5, 'absolute values, no bonus')
  t.equal(compatibilityScore(all(1)), 1, 'capped at 1')
  t.equal(compatibilityScore(all(0)), 0)
  t.equal(r3(relationshipStrength(all(0.5))), 0.5)
  t.equal(r3(relationshipStrength({ affinity: -0.5, trust: 0.5, respect: 0.5, intimacy: 0.5 })), 0, 'intimacy counts against when affinity <= 0')
  t.equal(r3(relationshipStrength({ affinity: 1, trust: 1, respect: 1, intimacy: 1 })), 1)
})
