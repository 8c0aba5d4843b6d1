import t from 'tap'
import { parseConfig } from '../../src/config/load.ts'
import { clampEmotion, driftFromTurn, initialEmotion, moodWords, regenerateEmotion } from '../../src/relationships/emotions.ts'
import type { EmotionalState } from '../../src/relationships/emotions.ts'

// original-api.md section 6, plus our drift and regeneration, with the config defaults.
const rules = parseConfig({}).emotions
const T0 = Date.UTC(2030, 0, 1)
const HOUR = 3_600_000
const state = (patch: Partial<EmotionalState> = {}): EmotionalState => ({ ...initialEmotion(rules, T0), ...patch })
const r6 = (x: number): number => Number(x.toFixed(6))

t.test('first-read defaults', async (t) => {
  t.same(initialEmotion(rules, T0), { mood: 0.5, energyLevel: 0.7, stressLevel: 0.3, curiosity: 0.6, socialBattery: 0.8, updatedAt: T0 })
  t.equal(rules.regenerationCron, '*/5 * * * *')
  t.type(initialEmotion(rules).updatedAt, 'number', 'now by default')
})

t.test('clampEmotion: mood -1..1, the rest 0..1, only fields given, non-numbers dropped', async (t) => {
  t.same(clampEmotion({ mood: -3, energyLevel: 2, stressLevel: -1, curiosity: 0.4, socialBattery: 1.5 }),
    { mood: -1, energyLevel: 1, stressLevel: 0, curiosity: 0.4, socialBattery: 1 })
  t.same(clampEmotion({ mood: 0.9 }), { mood: 0.9 })
  t.same(clampEmotion({ mood: Number.NaN, energyLevel: Number.POSITIVE_INFINITY, curiosity: '0.5' as unknown as number }), {})
})

t.test('driftFromTurn', async (t) => {
  const start = state()
  const warm = driftFromTurn(start, 1, rules)
  t.ok(warm.mood > start.mood, 'a warm turn lifts mood')
  t.ok(warm.stressLevel < start.stressLevel, 'and eases stress')
  const hostile = driftFromTurn(start, -1, rules)
  t.ok(hostile.mood < start.mood, 'a hostile turn lowers mood')
  t.ok(hostile.stressLevel > start.stressLevel, 'and raises stress')
  for (const s of [warm, hostile, driftFromTurn(start, 0, rules)]) {
    t.equal(r6(s.energyLevel), r6(start.energyLevel - rules.energyDrainPerTurn), 'every turn drains energy')
    t.equal(r6(s.socialBattery), r6(start.socialBattery - rules.socialBatteryDrainPerTurn), 'and social battery')
    t.equal(s.curiosity, start.curiosity)
    t.equal(s.updatedAt, start.updatedAt, 'the regeneration clock does not move')
  }
  t.equal(r6(driftFromTurn(start, 0.5, rules).mood), r6(0.5 + 0.5 * rules.moodPerTurn), 'proportional to quality')
  t.same(driftFromTurn(start, 9, rules), warm, 'quality clamped to 1')
  const edge = driftFromTurn(state({ mood: 1, stressLevel: 0, energyLevel: 0, socialBattery: 0 }), 1, rules)
  t.same([edge.mood, edge.stressLevel, edge.energyLevel, edge.socialBattery], [1, 0, 0, 0], 'clamped to the ranges')
  t.equal(driftFromTurn(start, Number.NaN, rules).mood, start.mood, 'NaN quality is neutral')
})

t.test('regenerateEmotion', async (t) => {
  const tired = state({ mood: -0.5, energyLevel: 0.1, stressLevel: 0.9, curiosity: 0.2, socialBattery: 0 })
  t.equal(regenerateEmotion(tired, T0, rules), tired, 'no time, no change')
  t.equal(regenerateEmotion(tired, T0 - HOUR, rules), tired, 'clock going backwards, no change')
  const hour = regenerateEmotion(tired, T0 + HOUR, rules)
  t.equal(hour.updatedAt, T0 + HOUR)
  // a quarter of each gap closes in the first hour
  t.equal(r6(hour.mood), r6(0.5 - 1 * 0.75))
  t.equal(r6(hour.energyLevel), r6(0.7 - 0.6 * 0.75))
  t.equal(r6(hour.stressLevel), r6(0.3 + 0.6 * 0.75))
  t.equal(r6(hour.socialBattery), r6(0.8 - 0.8 * 0.75))
  const once = regenerateEmotion(tired, T0 + 2 * HOUR, rules)
  const twice = regenerateEmotion(regenerateEmotion(tired, T0 + HOUR, rules), T0 + 2 * HOUR, rules)
  let often = tired
  for (let m = 5; m <= 120; m += 5) often = regenerateEmotion(often, T0 + m * 60_000, rules)
  for (const f of ['mood', 'energyLevel', 'stressLevel', 'curiosity', 'socialBattery'] as const) {
    t.equal(r6(once[f]), r6(twice[f]), `${f}: one call after 2 h equals two an hour apart`)
    t.equal(r6(once[f]), r6(often[f]), `${f}: and 24 calls five minutes apart`)
  }
  const week = regenerateEmotion(tired, T0 + 24 * 7 * HOUR, rules)
  t.same([r6(week.mood), r6(week.energyLevel), r6(week.stressLevel)], [0.5, 0.7, 0.3], 'converges on the defaults')
})

t.test('moodWords', async (t) => {
  t.equal(moodWords(state()), 'content and rested')
  t.equal(moodWords(state({ mood: 0.8, energyLevel: 0.9 })), 'cheerful and rested')
  t.equal(moodWords(state({ stressLevel: 0.8, energyLevel: 0.2 })), 'tense and tired')
  t.equal(moodWords(state({ mood: 0.3, stressLevel: 0.6, energyLevel: 0.4 })), 'uneasy and a little weary')
  t.equal(moodWords(state({ mood: 0, stressLevel: 0.2 })), 'calm and rested')
  t.equal(moodWords(state({ mood: 0, stressLevel: 0.5 })), 'on edge and rested')
  t.equal(moodWords(state({ mood: -0.4 })), 'glum and rested')
  t.equal(moodWords(state({ mood: -0.9, socialBattery: 0.1 })), 'upset and rested, wanting some quiet')
  t.equal(moodWords(state({ curiosity: 0.9 })), 'content and rested, eager to learn more')
})
