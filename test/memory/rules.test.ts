import t from 'tap'
import { createScorer, scoreImportance, SCORE_MAX, SCORE_MIN, type PersonaSignals, type ScoreWeights } from '../../src/memory/rules/scoring.ts'
import { DAY_MS, decayedImportance, type DecayInput, type DecayParams } from '../../src/memory/rules/decay.ts'
import { planPrune, pruneRecommendation, type PruneCandidate, type PruningParams } from '../../src/memory/rules/pruning.ts'

const ARIA: PersonaSignals = { topicPreferences: { music: 95, stories: 90, travel: 85, gossip: 80, magic: 70, adventure: 85, art: 80, local_news: 75 }, personalityTraits: { extroverted: 90, creative: 85, empathetic: 80, curious: 75, optimistic: 85 } }
const KIRA = { topicPreferences: { research: 95, magic: 90, history: 85, philosophy: 80, books: 85, discovery: 90, gossip: 20, small_talk: 25 }, personalityTraits: { introverted: 70, analytical: 95, focused: 90, methodical: 85, reserved: 75 } }
const W: ScoreWeights = { content: 1, engagement: 1, persona: 1, recency: 1 }
const ORIN = 'My name is Orin, I keep bees in Dunmore and I love music, can you sing me something about my hives?'
const MESSAGES = ['ok', 'thanks', 'lol yeah', 'Hello there! How are you?', 'I had a long day at work.', 'I went to the market today and bought some bread.',
  'Tell me a story about dragons', 'Can you explain the history of the old empire and why it fell?', 'My sister is getting married in June and I am so nervous about my speech.', ORIN]
const score = (text: string, w: Partial<ScoreWeights> = {}, persona = ARIA, age = 0) => scoreImportance({ text }, persona, { ...W, ...w }, age).score

t.test('scores stay in 0.51..0.80 and spread across it', async (t) => {
  for (const w of [W, { content: 2, engagement: 2, persona: 2, recency: 2 }, { content: 0, engagement: 0, persona: 0, recency: 0 }]) {
    for (const m of MESSAGES) {
      const s = score(m, w)
      t.ok(s >= SCORE_MIN && s <= SCORE_MAX, `${s} in range for "${m}"`)
    }
  }
  t.ok(score('ok') < 0.52, 'a bare ok sits at the bottom')
  t.ok(score(ORIN) > 0.75, 'a rich, personal message to Aria scores high')
  const scores = MESSAGES.map((m) => score(m))
  t.ok(Math.max(...scores) - Math.min(...scores) > 0.25, 'realistic messages span the range')
  t.ok(new Set(scores.map((s) => Math.round(s * 50))).size >= 6, 'and land in many distinct bands')
  t.ok(score('I went to the market today.') > score('I went to the market today.', {}, KIRA), 'market news matters more to Aria (local_news) than Kira')
  t.ok(score('Tell me about the history of magic') < score('Tell me about the history of magic', {}, KIRA), 'history matters more to Kira')
})

t.test('weights move the score the right way and zero removes a factor', async (t) => {
  for (const f of ['content', 'engagement', 'persona', 'recency'] as const) {
    t.ok(score(ORIN, { [f]: 2 }) >= score(ORIN, { [f]: 1 }) && score(ORIN, { [f]: 1 }) > score(ORIN, { [f]: 0 }), `${f} weight is monotone`)
    t.equal(scoreImportance({ text: ORIN }, ARIA, { ...W, [f]: 0 }).factors[f], 0, `${f} factor is 0 at weight 0`)
  }
  t.not(score('My name is Orin.'), score('My game is Orin.'), 'a stated fact counts')
  t.equal(score('My name is Orin.', { content: 0 }), score('My game is Orin.', { content: 0 }), 'not without content weight')
  t.not(score('I like bees?'), score('I like bees.'))
  t.equal(score('I like bees?', { engagement: 0 }), score('I like bees.', { engagement: 0 }), 'questions count only through engagement')
  t.not(score('Sing me a song', {}, ARIA), score('Sing me a song', {}, KIRA))
  t.equal(score('Sing me a song', { persona: 0 }, ARIA), score('Sing me a song', { persona: 0 }, KIRA), 'persona weight 0: the persona is irrelevant')
  t.ok(score(ORIN, {}, ARIA, 0) > score(ORIN, {}, ARIA, 7 * 86_400), 'older messages lose the recency boost')
  t.equal(score(ORIN, { recency: 0 }, ARIA, 0), score(ORIN, { recency: 0 }, ARIA, 7 * 86_400))
})

t.test('follow-ups, replies, determinism', async (t) => {
  const scorer = createScorer(ARIA, W)
  const base = scorer({ text: 'The bees were calm this morning' })
  const follow = scorer({ text: 'The bees were calm this morning', recentUserTexts: ['I keep bees in Dunmore', 'They were angry yesterday morning'] })
  t.ok(follow.factors.engagement > base.factors.engagement, 'referring to earlier user texts is engagement')
  const reply = scorer({ text: 'Anything you like', reply: 'Then let me sing you a song and tell a tale.' })
  t.ok(reply.factors.persona > scorer({ text: 'Anything you like' }).factors.persona, 'a reply on the persona\'s topics counts')
  t.same(scorer({ text: ORIN }), scorer({ text: ORIN }))
  t.same(scoreImportance({ text: ORIN }, ARIA, W), scorer({ text: ORIN }), 'cached and fresh scorers agree')
  t.same(scoreImportance({ text: ORIN }, ARIA, { ...W, persona: 0.5 }), createScorer(ARIA, { ...W, persona: 0.5 })({ text: ORIN }), 'a weight change rebuilds the cached scorer')
  t.equal(scorer({ text: '' }).score, SCORE_MIN)
  t.same(scorer({ text: 'I’m from Dunmore, my name’s Orin' }), scorer({ text: "I'm from Dunmore, my name's Orin" }), 'typographic apostrophes read like plain ones')
})

const NOW = Date.UTC(2026, 10, 27, 12)
const P: DecayParams = { mode: 'exponential', rate: 0.1, floor: 0.1, stepDays: 7, maxDecayDays: 90, protectImportance: 0.9 }
const mem = (days: number, extra: Partial<DecayInput> = {}): DecayInput => ({ baseImportance: 0.8, accessCount: 0, createdAt: NOW - days * DAY_MS, lastAccessedAt: null, metadata: {}, ...extra })
const decay = (mode: string, m: DecayInput, p: Partial<DecayParams> = {}) => decayedImportance(m, { ...P, mode, ...p }, NOW)

t.test('decay curves against hand-computed values', async (t) => {
  const cases: Array<[string, number, number, Partial<DecayInput>?]> = [
    ['linear', 0, 0.8], ['linear', 1, 0.7], ['linear', 3, 0.5], ['linear', 10, 0.1],
    ['exponential', 1, 0.7238699344287677], ['exponential', 10, 0.2943035529371539], ['exponential', 30, 0.1],
    ['logarithmic', 1, 0.7445482255552044], ['logarithmic', 9, 0.6157931925604764], ['logarithmic', 90, 0.439131239478652],
    ['step', 6.9, 0.8], ['step', 7, 0.72], ['step', 15, 0.648],
    ['access_based', 10, 0.7238699344287677, { accessCount: 1, lastAccessedAt: NOW - 2 * DAY_MS }],
    ['access_based', 2, 0.6549846024623855],
    ['access_based', 30, 0.4852245277701068, { accessCount: 5 }]
  ]
  for (const [mode, days, want, extra] of cases) t.ok(Math.abs(decay(mode, mem(days, extra)) - want) < 1e-12, `${mode} at ${days} days = ${want}`)
  t.equal(decay('logarithmic', mem(400)), decay('logarithmic', mem(90)), 'ages are capped at maxDecayDays')
  t.equal(decay('linear', mem(200), { maxDecayDays: 2 }), 0.8 - 0.1 * 2)
  t.equal(decay('step', mem(30), { rate: 3 }), 0.1, 'a rate above 1 empties a step, down to the floor')
  t.equal(decay('linear', mem(-5)), 0.8, 'a future timestamp does not raise importance')
  t.throws(() => decay('bogus', mem(1)))
})

t.test('floor, protection, statelessness', async (t) => {
  t.equal(decay('linear', mem(50), { floor: 0.3 }), 0.3)
  t.equal(decay('exponential', mem(50, { baseImportance: 0.05 })), 0.05, 'a base under the floor keeps its base')
  t.equal(decay('linear', mem(50, { baseImportance: 0.9 })), 0.9, 'base >= protectImportance never decays')
  t.equal(decay('linear', mem(50, { metadata: { pinned: true } })), 0.8, 'pinned never decays')
  t.equal(decay('linear', mem(50, { metadata: '{"pinned":true}' })), 0.8, 'pinned as stored JSON text')
  t.not(decay('linear', mem(50, { metadata: { pinned: 'yes' } })), 0.8, 'only the literal true pins')
  t.not(decay('linear', mem(50, { metadata: 'not json' })), 0.8)
  const m = mem(12)
  const once = decay('exponential', m)
  t.equal(decay('exponential', { ...m, baseImportance: m.baseImportance }), once, 'recomputed from base and age: nothing compounds')
  t.equal(decayedImportance({ ...m, createdAt: new Date(m.createdAt) }, P, NOW), once, 'Date and epoch ms agree')
})

const PR: PruningParams = { maxMemories: 100, targetCount: 80, minMemories: 10, importanceThreshold: 0.6, batchSize: 200, maxImportantFraction: 0.25, protectAccessedWithinHours: 24, protectAccessCount: 5, protectYoungerThanHours: 24 }
const OLD = NOW - 10 * DAY_MS
const memories = (n: number, importance: (i: number) => number, extra: Partial<PruneCandidate> = {}): PruneCandidate[] =>
  Array.from({ length: n }, (_, i) => ({ id: `m${String(i).padStart(4, '0')}`, importance: importance(i), accessCount: 0, lastAccessedAt: null, createdAt: OLD, ...extra }))
const plan = (ms: PruneCandidate[], p: Partial<PruningParams> = {}, force = false) => planPrune(ms, { ...PR, ...p }, NOW, force)

t.test('pruning: trigger, target, order, batches, minimum', async (t) => {
  t.equal(plan(memories(100, () => 0.3)).action, 'none', 'nothing at the maximum')
  const p = plan(memories(120, (i) => 0.55 - i * 0.001))
  t.equal(p.action, 'prune')
  t.equal(p.prune.length, 40)
  t.same(p.prune.slice(0, 2), ['m0119', 'm0118'], 'lowest importance first')
  t.same(p.importanceRange, [0.55 - 119 * 0.001, 0.55 - 80 * 0.001])
  t.ok(p.averageImportancePruned < p.averageImportanceKept)
  let ms = memories(120, () => 0.4)
  const runs: number[] = []
  for (let i = 0; i < 10; i++) {
    const step = plan(ms, { batchSize: 15 }, true)
    if (step.action !== 'prune') break
    runs.push(step.prune.length)
    ms = ms.filter((m) => !step.prune.includes(m.id))
  }
  t.same(runs, [15, 15, 10], 'small batches reach the target exactly')
  const low = plan(memories(30, () => 0.2), { maxMemories: 20, targetCount: 5, minMemories: 12 })
  t.equal(low.targetCount, 12)
  t.equal(low.prune.length, 18, 'never below minMemories')
  t.equal(plan(memories(8, () => 0.2), { maxMemories: 5, targetCount: 2, minMemories: 10 }).action, 'none')
})

t.test('pruning: threshold and protections', async (t) => {
  const ms = [...memories(110, () => 0.6), ...memories(10, () => 0.59).map((m) => ({ ...m, id: `low${m.id}` }))]
  const p = plan(ms, { maxImportantFraction: 1 })
  t.same(new Set(p.prune), new Set(ms.slice(110).map((m) => m.id)), 'only memories below the threshold')
  const protectedBy: Array<[string, Partial<PruneCandidate>]> = [
    ['recent access', { lastAccessedAt: NOW - 2 * 3_600_000 }], ['access count', { accessCount: 5 }], ['youth', { createdAt: NOW - 3_600_000 }]
  ]
  for (const [why, extra] of protectedBy) {
    const all = [...memories(100, () => 0.5), ...memories(20, () => 0.1, extra).map((m) => ({ ...m, id: `p${m.id}` }))]
    const q = plan(all)
    t.equal(q.action, 'prune')
    t.notOk(q.prune.some((id) => id.startsWith('p')), `protected by ${why}`)
  }
  t.equal(plan(memories(120, () => 0.1, { lastAccessedAt: NOW - 48 * 3_600_000, accessCount: 4, createdAt: NOW - 25 * 3_600_000 })).prune.length, 40, 'just outside every protection')
})

t.test('pruning: abort rule and force', async (t) => {
  const mix = (low: number) => memories(120, (i) => i < low ? 0.3 : 0.9)
  t.equal(plan(mix(30)).action, 'prune', 'shortfall 10 of 40 needed = 25%: allowed')
  t.equal(plan(mix(30)).prune.length, 30)
  const aborted = plan(mix(25))
  t.equal(aborted.action, 'abort', 'shortfall 15 of 40 > 25%: abort')
  t.same(aborted.prune, [])
  t.match(aborted.reason, /15 would have to be memories that matter/)
  t.equal(plan(mix(0)).action, 'abort')
  t.equal(plan(mix(25), {}, true).prune.length, 25, 'force prunes what is safe')
  t.equal(plan(mix(0), {}, true).action, 'none')
  t.equal(plan(memories(90, () => 0.3)).action, 'none')
  t.equal(plan(memories(90, () => 0.3), {}, true).prune.length, 10, 'force works below maxMemories, down to the target')
  t.equal(plan(memories(70, () => 0.3), {}, true).action, 'none', 'force does nothing at or below the target')
})

t.test('prune recommendations', async (t) => {
  const none = pruneRecommendation(memories(50, () => 0.3), PR, NOW)
  t.same(Object.keys(none).sort(), ['current_count', 'needs_pruning', 'recommendation', 'target_count'])
  t.match(none, { needs_pruning: false, current_count: 50, target_count: 80 })
  const yes = pruneRecommendation(memories(120, (i) => 0.1 + i * 0.001), PR, NOW)
  t.match(yes, { needs_pruning: true, current_count: 120, target_count: 80, would_prune: 40 })
  t.ok(Math.abs((yes.average_importance_to_prune ?? 0) - (0.1 + 19.5 * 0.001)) < 1e-12)
  t.same(yes.importance_range_to_prune, [0.1, 0.1 + 39 * 0.001])
  t.match(pruneRecommendation(memories(120, () => 0.9), PR, NOW), { needs_pruning: true, would_prune: 0, importance_range_to_prune: null, recommendation: /abort/ })
})
