import t from 'tap'
import { parseConfig } from '../../src/config/load.ts'
import { BUILT_IN_PERSONAS } from '../../src/personas/builtins.ts'
import { continueScore, continueScoreParts, conversationCooldown, judgeTurnQuality, shouldContinue, turnSeconds } from '../../src/conversation/p2p-rules.ts'
import type { ContinueInput, P2PPersona } from '../../src/conversation/p2p-rules.ts'

// original-api.md section 4 (persona-to-persona turns) with the config defaults.
const rules = parseConfig({}).personaConversations
const builtIn = (name: string): P2PPersona => {
  const p = BUILT_IN_PERSONAS.find((b) => b.name === name)!
  return { topicPreferences: p.topicPreferences!, charisma: p.charisma!, socialRank: p.socialRank!,
    state: { availableTime: p.state!.availableTime!, socialEnergy: p.state!.socialEnergy! } }
}
const peer = (patch: Partial<P2PPersona> = {}): P2PPersona => ({
  topicPreferences: {}, charisma: 10, socialRank: 'commoner', state: { availableTime: 300, socialEnergy: 100 }, ...patch,
})
const input = (patch: Partial<ContinueInput> = {}): ContinueInput => ({
  durationSeconds: 0, priority: 'social', topic: 'magic', persona1: builtIn('Aria'), persona2: builtIn('Kira'),
  tokensRemaining: 1000, compatibility: null, fatigue: 0, ...patch,
})

t.test('config defaults', async (t) => {
  t.same(rules, {
    continueThreshold: 40, minTokenBudget: 50, defaultTokenBudget: 1000, defaultTopic: 'general', cooldownBaseSeconds: 300,
    satisfyingScoreAbove: 70, satisfyingMultiplier: 0.5, unsatisfyingScoreBelow: 30, unsatisfyingMultiplier: 2,
    fatigueCooldownDivisor: 100, maxTurns: 20, turnMinSeconds: 30,
  })
})

t.test('cooldown', async (t) => {
  t.equal(conversationCooldown(50, 0, rules), 300, 'score 50, no fatigue')
  t.equal(conversationCooldown(80, 0, rules), 150, 'above 70: x0.5')
  t.equal(conversationCooldown(20, 0, rules), 600, 'below 30: x2')
  t.equal(conversationCooldown(50, 50, rules), 450, 'fatigue 50: x1.5')
  t.equal(conversationCooldown(70, 0, rules), 300, '70 is not above 70')
  t.equal(conversationCooldown(30, 0, rules), 300, '30 is not below 30')
  t.equal(conversationCooldown(80, 50, rules), 225)
  t.equal(conversationCooldown(20, 100, rules), 1200)
})

t.test('continue score: Aria and Kira start on magic', async (t) => {
  const parts = continueScoreParts(input())
  t.same(parts, { time: 30, topic: 19.25, social: 8.8, resources: 10, history: 0, fatiguePenalty: 0 })
  t.equal(continueScore(input()), 68, '68.05 truncated')
})

t.test('time: at most 30, decaying by priority', async (t) => {
  const time = (priority: ContinueInput['priority'], durationSeconds: number) => continueScoreParts(input({ priority, durationSeconds })).time
  t.equal(time('urgent', 20), 20, '/2')
  t.equal(time('important', 100), 20, '/10')
  t.equal(time('academic', 100), 20, 'other priorities as important')
  t.equal(time('none', 100), 20)
  t.equal(time('casual', 300), 20, '/30')
  t.equal(time('social', 300), 20)
  t.equal(time('urgent', 600), 0, 'never below 0')
})

t.test('topic alignment: at most 25, mutual interest favoured, default 50', async (t) => {
  const topic = (a: number | undefined, b: number | undefined) => continueScoreParts(input({
    topic: 't', persona1: peer({ topicPreferences: a === undefined ? {} : { t: a } }), persona2: peer({ topicPreferences: b === undefined ? {} : { t: b } }),
  })).topic
  t.equal(topic(100, 100), 25)
  t.equal(topic(undefined, undefined), 12.5)
  t.equal(topic(100, 0), 8.75, 'one-sided: (50×0.7 + 0×0.3) / 4')
  t.equal(topic(0, 0), 0)
})

t.test('social: charisma and rank gap', async (t) => {
  const social = (c1: number, r1: string, c2: number, r2: string) => continueScoreParts(input({
    persona1: peer({ charisma: c1, socialRank: r1 }), persona2: peer({ charisma: c2, socialRank: r2 }),
  })).social
  t.equal(social(20, 'merchant', 20, 'merchant'), 12, 'same rank: (16 + 8) / 2')
  t.equal(social(10, 'nobility', 20, 'merchant'), 7, 'adjacent: (8 + 6) / 2')
  t.equal(social(10, 'noble', 10, 'merchant'), 7, 'noble read as nobility')
  t.equal(social(10, 'merchant', 10, 'peasant'), 6, 'gap 2: (8 + 4) / 2')
  t.equal(social(10, 'royalty', 10, 'commoner'), 5, 'gap 3: (8 + 2) / 2')
  t.equal(social(10, 'bard', 10, 'commoner'), 8, 'unknown ranks are commoners')
})

t.test('resources: at most 10, cut by low time, budget and energy', async (t) => {
  const res = (availableTime: number, socialEnergy: number, tokensRemaining: number) =>
    continueScoreParts(input({ persona1: peer({ state: { availableTime, socialEnergy } }), tokensRemaining })).resources
  t.equal(res(300, 100, 1000), 10)
  t.equal(res(30, 100, 1000), 5, 'half of the 60 s threshold')
  t.equal(res(300, 100, 50), 5, 'half of the 100-token threshold')
  t.equal(res(300, 15, 1000), 5, 'half of the 30-energy threshold')
  t.equal(res(30, 15, 50), 1.25, 'factors multiply')
  t.equal(res(300, 100, -20), 0, 'an overspent budget gives 0, not less')
})

t.test('history and fatigue', async (t) => {
  t.equal(continueScoreParts(input({ compatibility: 1 })).history, 10)
  t.equal(continueScoreParts(input({ compatibility: 0 })).history, -2.5)
  t.equal(continueScoreParts(input({ compatibility: 0.2 })).history, 0)
  t.equal(continueScoreParts(input({ fatigue: 7 })).fatiguePenalty, 3, 'fatigue // 2')
  t.equal(continueScoreParts(input({ fatigue: 40 })).fatiguePenalty, 15, 'at most 15')
  t.equal(continueScore(input({ fatigue: 7 })), 65)
})

t.test('continue score bounds: an integer in 0..100', async (t) => {
  const best = input({ persona1: peer({ charisma: 20, topicPreferences: { magic: 100 } }), persona2: peer({ charisma: 20, topicPreferences: { magic: 100 } }), compatibility: 1 })
  t.equal(continueScore(best), 87, '30 + 25 + 12 + 10 + 10')
  const worst = input({ priority: 'urgent', durationSeconds: 600, persona1: peer({ charisma: 0, socialRank: 'royalty', topicPreferences: { magic: 0 }, state: { availableTime: 0, socialEnergy: 0 } }),
    persona2: peer({ charisma: 0, socialRank: 'peasant' }), tokensRemaining: 0, compatibility: 0, fatigue: 100 })
  t.equal(continueScore(worst), 0, 'negative sums clamp to 0')
  for (const d of [0, 45, 90, 300, 900]) t.ok(Number.isInteger(continueScore(input({ durationSeconds: d }))))
})

t.test('shouldContinue: score >= 40 and more than 50 tokens', async (t) => {
  t.equal(shouldContinue(40, 1000, rules), true)
  t.equal(shouldContinue(39, 1000, rules), false)
  t.equal(shouldContinue(80, 51, rules), true)
  t.equal(shouldContinue(80, 50, rules), false)
})

t.test('turnSeconds: max(30, whole processing seconds)', async (t) => {
  t.equal(turnSeconds(5, rules), 30)
  t.equal(turnSeconds(42.9, rules), 42)
  t.equal(turnSeconds(Number.NaN, rules), 30)
})

t.test('judgeTurnQuality', async (t) => {
  const warm = judgeTurnQuality('Thank you, that was a wonderful story! What happened next?', 'I am so glad you enjoyed it!')
  t.ok(warm > 0.5, `warm ${warm}`)
  const hostile = judgeTurnQuality('This is stupid and boring, I hate it.', 'I am sorry to hear that.')
  t.ok(hostile < -0.4, `hostile ${hostile}`)
  t.equal(judgeTurnQuality('ok', 'Alright.'), -0.15, 'a bare one-word turn leans slightly negative')
  t.equal(judgeTurnQuality('hi', 'Hello!'), 0, 'a greeting is not disengaged')
  t.equal(judgeTurnQuality('Tell me about the old library.', 'It stands by the river.'), 0, 'neutral')
  t.ok(judgeTurnQuality('not bad at all', 'Thanks!') > 0, 'a negator flips the next word')
  t.ok(judgeTurnQuality("I don't love it", 'Hm.') < 0)
  t.ok(judgeTurnQuality('great :)', 'yes') > judgeTurnQuality('great', 'yes'), 'smileys count')
  t.ok(judgeTurnQuality('Tell me about the old library.', '') < 0, 'no reply counts against')
  t.equal(judgeTurnQuality('', ''), -0.35)
  t.equal(judgeTurnQuality(warm.toString(), 'x'), judgeTurnQuality(warm.toString(), 'x'), 'deterministic')
  const extreme = judgeTurnQuality('love love love love love great great great wonderful? '.repeat(20), 'amazing fantastic brilliant')
  t.ok(extreme <= 1 && extreme > 0.9, `bounded ${extreme}`)
  t.ok(judgeTurnQuality('hate hate hate awful awful', '') >= -1)
})
