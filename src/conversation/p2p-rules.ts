import type { Scores } from '../personas/types.ts'
import type { InteractionState, Priority } from '../personas/state.ts'

// Persona-to-persona rules of original-api.md section 4 (ConversationEngine), as pure functions.
// The component numbers are the earlier server's ConversationConfig defaults. Interpretations:
// - time, resources and the fatigue penalty are the speaker's (persona1); the caller passes its priority and fatigue;
// - priorities other than urgent, casual and social decay like important (/10), as there;
// - social = (min charisma × 0.8 + status term) / 2 with the earlier engine's own rank table (royalty 5, nobility 4,
//   merchant 3, commoner 2, peasant 1, unknown = commoner); we also read "noble" as nobility, the compatibility
//   engine's spelling. Status term: same 8, adjacent 6, gap 2 → 4, gap ≥ 3 → 2;
// - the earlier engine's ×0.6 topic-drift penalty is left out: nothing here tracks topic drift;
// - compatibility null (no relationship yet) gives a neutral 0 history term, the earlier engine's stated intent
//   (its cache created an all-zero relationship instead, which scored -2.5).

export interface P2PPersona {
  topicPreferences: Scores
  charisma: number
  socialRank: string
  state: Pick<InteractionState, 'availableTime' | 'socialEnergy'>
}

export interface ContinueInput {
  durationSeconds: number
  /** the speaker's current priority */
  priority: Priority
  topic: string
  /** the speaker */
  persona1: P2PPersona
  persona2: P2PPersona
  tokensRemaining: number
  /** section 5 compatibility_score of their relationship, 0..1; null when they have none */
  compatibility: number | null
  /** the speaker's interaction fatigue */
  fatigue: number
}

export interface ContinueParts { time: number, topic: number, social: number, resources: number, history: number, fatiguePenalty: number }

/** Structurally the `personaConversations` config section. */
export interface ConversationRules {
  continueThreshold: number
  minTokenBudget: number
  cooldownBaseSeconds: number
  satisfyingScoreAbove: number
  satisfyingMultiplier: number
  unsatisfyingScoreBelow: number
  unsatisfyingMultiplier: number
  fatigueCooldownDivisor: number
  turnMinSeconds: number
}

const STATUS: Readonly<Record<string, number>> = { royalty: 5, nobility: 4, noble: 4, merchant: 3, commoner: 2, peasant: 1 }
const status = (rank: string): number => (Object.hasOwn(STATUS, rank) ? STATUS[rank] : STATUS.commoner) as number
const preference = (s: Scores, topic: string): number => (Object.hasOwn(s, topic) ? s[topic] : 50) as number

export function continueScoreParts (input: ContinueInput): ContinueParts {
  const { persona1: p1, persona2: p2 } = input
  const rate = input.priority === 'urgent' ? 2 : input.priority === 'casual' || input.priority === 'social' ? 30 : 10
  const time = Math.max(0, 30 - Math.max(0, input.durationSeconds) / rate)
  // mutual interest counts more than one-sided enthusiasm
  const a = preference(p1.topicPreferences, input.topic)
  const b = preference(p2.topicPreferences, input.topic)
  const topic = Math.min(25, ((a + b) / 2 * 0.7 + Math.min(a, b) * 0.3) * 25 / 100)
  const gap = Math.abs(status(p1.socialRank) - status(p2.socialRank))
  const statusTerm = gap === 0 ? 8 : gap === 1 ? 6 : gap >= 3 ? 2 : 4
  const social = Math.min(20, (Math.min(p1.charisma, p2.charisma) * 0.8 + statusTerm) / 2)
  let resources = 10
  if (p1.state.availableTime < 60) resources *= Math.max(0, p1.state.availableTime) / 60
  if (input.tokensRemaining < 100) resources *= Math.max(0, input.tokensRemaining) / 100
  if (p1.state.socialEnergy < 30) resources *= Math.max(0, p1.state.socialEnergy) / 30
  const history = input.compatibility === null ? 0 : input.compatibility * 12.5 - 2.5
  const fatiguePenalty = Math.min(15, Math.floor(Math.max(0, input.fatigue) / 2))
  return { time, topic, social, resources, history, fatiguePenalty }
}

/** Sum of the parts, truncated to an integer (Python int()) and kept to 0..100. */
export function continueScore (input: ContinueInput): number {
  const p = continueScoreParts(input)
  const total = p.time + p.topic + p.social + p.resources + p.history - p.fatiguePenalty
  return Math.max(0, Math.min(100, Math.trunc(total)))
}

export function shouldContinue (score: number, tokensRemaining: number, rules: Pick<ConversationRules, 'continueThreshold' | 'minTokenBudget'>): boolean {
  return score >= rules.continueThreshold && tokensRemaining > rules.minTokenBudget
}

/** Seconds both participants cool down after a conversation ends. */
export function conversationCooldown (finalScore: number, firstParticipantFatigue: number, rules: ConversationRules): number {
  const base = rules.cooldownBaseSeconds
  const cooldown = finalScore > rules.satisfyingScoreAbove ? base * rules.satisfyingMultiplier
    : finalScore < rules.unsatisfyingScoreBelow ? base * rules.unsatisfyingMultiplier
      : base
  return cooldown * (1 + Math.max(0, firstParticipantFatigue) / rules.fatigueCooldownDivisor)
}

/** A turn lasts max(30, whole processing seconds). */
export function turnSeconds (processingSeconds: number, rules: Pick<ConversationRules, 'turnMinSeconds'>): number {
  return Math.max(rules.turnMinSeconds, Math.floor(Number.isFinite(processingSeconds) ? processingSeconds : 0))
}

// Word lists for judgeTurnQuality: deliberately small and deterministic; it only nudges relationships and mood.
const words = (list: string): ReadonlySet<string> => new Set(list.split(' '))
const POSITIVE = words("thanks thank love loved lovely great good awesome wonderful amazing nice happy glad appreciate excellent " +
  'beautiful fantastic cool fun interesting fascinating brilliant perfect enjoy enjoyed delightful kind haha lol wow sweet')
const NEGATIVE = words('hate hated stupid idiot dumb awful terrible boring bored annoying useless worst angry rude bad sucks ' +
  'pathetic ugh disgusting horrible sad upset liar nonsense whatever shut')
const NEGATORS = words("not no never don't dont isn't isnt wasn't didn't doesn't can't cannot won't")
// a greeting is a short turn, not a disengaged one
const GREETINGS = words('hi hello hey morning evening greetings welcome bye goodbye')

/** Tone -1..1 of a text: (positive - negative) / (positive + negative + 1), a negator flipping the next word. */
function tone (text: string): { tone: number, words: number, hits: number } {
  const tokens = text.toLowerCase().match(/[a-z']+/g) ?? []
  let pos = (text.match(/[:;]-?\)|\u2764|\u{1F60A}|\u{1F604}/gu) ?? []).length
  let neg = (text.match(/:-?\(/g) ?? []).length
  tokens.forEach((w, i) => {
    const flip = i > 0 && NEGATORS.has(tokens[i - 1] as string)
    if (POSITIVE.has(w)) flip ? neg++ : pos++
    else if (NEGATIVE.has(w)) flip ? pos++ : neg++
  })
  return { tone: (pos - neg) / (pos + neg + 1), words: tokens.length, hits: pos + neg + tokens.filter((w) => GREETINGS.has(w)).length }
}

/**
 * Quality -1..1 of a user chat turn, for the persona-user relationship and the mood: mostly the user's tone, a
 * little the reply's, plus engagement (a question or a long message counts for, a bare one-word turn or no reply against).
 */
export function judgeTurnQuality (userText: string, reply: string): number {
  const user = tone(userText)
  const answer = tone(reply)
  let engagement = 0
  if (userText.includes('?') || user.words >= 12) engagement += 0.15
  if (user.words <= 2 && user.hits === 0) engagement -= 0.15
  if (reply.trim() === '') engagement -= 0.2
  const q = user.tone * 0.7 + answer.tone * 0.2 + engagement
  return Number(Math.max(-1, Math.min(1, q)).toFixed(3)) + 0 // + 0: no -0
}
