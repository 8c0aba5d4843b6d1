// Interaction-state rules of original-api.md section 4, as pure functions over plain values.

export const PRIORITIES = ['urgent', 'important', 'casual', 'social', 'academic', 'business', 'none'] as const
export type Priority = typeof PRIORITIES[number]

export interface InteractionState {
  interestLevel: number
  interactionFatigue: number
  currentPriority: Priority
  /** seconds */
  availableTime: number
  socialEnergy: number
  /** epoch seconds */
  cooldownUntil: number
  /** epoch milliseconds of the last regeneration or state change */
  updatedAt: number
}

export interface StateRules {
  maxSocialEnergy: number
  energyRegenSeconds: number
  fatigueRecoverySeconds: number
  minAvailableTime: number
  minSocialEnergy: number
  maxAvailableTime: number
  availableTimeRegenPerMinute: number
}

/** Available when the cooldown is over and both time and energy are above their minimums. */
export function isAvailable (state: InteractionState, nowMs: number, rules: StateRules): boolean {
  return nowMs / 1000 >= state.cooldownUntil &&
    state.availableTime > rules.minAvailableTime &&
    state.socialEnergy > rules.minSocialEnergy
}

export function cooldownRemaining (state: InteractionState, nowMs: number): number {
  return Math.max(0, state.cooldownUntil - nowMs / 1000)
}

/** Seconds until the persona is available again: the cooldown, and the time regeneration needs. */
export function secondsUntilAvailable (state: InteractionState, nowMs: number, rules: StateRules): number {
  const energyShort = Math.max(0, rules.minSocialEnergy + 1 - state.socialEnergy)
  const timeShort = Math.max(0, rules.minAvailableTime + 1 - state.availableTime)
  const timeWait = timeShort === 0 ? 0 : rules.availableTimeRegenPerMinute > 0
    ? Math.ceil(timeShort / rules.availableTimeRegenPerMinute) * 60
    : Number.POSITIVE_INFINITY
  return Math.ceil(Math.max(cooldownRemaining(state, nowMs), energyShort * rules.energyRegenSeconds, timeWait))
}

/**
 * Energy comes back one point per `energyRegenSeconds`, fatigue wears off one point per
 * `fatigueRecoverySeconds`. Steps are counted as period boundaries crossed on the absolute clock,
 * so frequent runs never round progress away (the earlier server's fatigue never recovered while
 * its loop ran every minute).
 */
export function regenerate (state: InteractionState, nowMs: number, rules: StateRules): InteractionState {
  if (nowMs <= state.updatedAt) return state
  const steps = (periodSeconds: number) =>
    Math.floor(nowMs / 1000 / periodSeconds) - Math.floor(state.updatedAt / 1000 / periodSeconds)
  return {
    ...state,
    socialEnergy: Math.min(rules.maxSocialEnergy, state.socialEnergy + steps(rules.energyRegenSeconds)),
    interactionFatigue: Math.max(0, state.interactionFatigue - steps(rules.fatigueRecoverySeconds)),
    // the earlier server never gave time back, so a persona talked out once stayed unavailable forever
    availableTime: Math.max(state.availableTime,
      Math.min(rules.maxAvailableTime, state.availableTime + steps(60) * rules.availableTimeRegenPerMinute)),
    updatedAt: nowMs,
  }
}

/** Cost of `seconds` of interaction: fatigue += s/30, energy -= s/60, available time -= s. */
export function applyFatigue (state: InteractionState, seconds: number): InteractionState {
  const s = Math.max(0, Math.floor(seconds))
  return {
    ...state,
    interactionFatigue: state.interactionFatigue + Math.floor(s / 30),
    socialEnergy: Math.max(0, state.socialEnergy - Math.floor(s / 60)),
    availableTime: Math.max(0, state.availableTime - s),
  }
}

/** What a user chat never takes the state past, so that talking to a user never makes a persona unavailable. */
export interface UserChatRules extends StateRules {
  /** user chats alone never push fatigue above this (persona-to-persona turns can) */
  userChatFatigueCap: number
}

/**
 * A user chat turn: the section-4 cost of `seconds`, but never below the availability minimums and never
 * above the fatigue cap. A state that is already past a bound (after persona-to-persona talk) is left
 * there, neither worsened nor repaired. The earlier server's user chats changed nothing; ours tire a
 * persona so that it sounds tired (conditionOf), without ever locking its user out.
 */
export function applyUserChat (state: InteractionState, seconds: number, rules: UserChatRules): InteractionState {
  const next = applyFatigue(state, seconds)
  const floor = (before: number, after: number, min: number) => Math.max(after, Math.min(before, min))
  return {
    ...next,
    socialEnergy: floor(state.socialEnergy, next.socialEnergy, rules.minSocialEnergy + 1),
    availableTime: floor(state.availableTime, next.availableTime, rules.minAvailableTime + 1),
    interactionFatigue: Math.max(state.interactionFatigue, Math.min(next.interactionFatigue, rules.userChatFatigueCap)),
  }
}

export const CONDITIONS = ['fresh', 'tired', 'short_of_time', 'low_energy', 'resting', 'exhausted'] as const
export type ConditionName = typeof CONDITIONS[number]

export interface Condition {
  /** the most telling of `flags`, or 'fresh' */
  state: ConditionName
  /** every condition that holds, most telling first */
  flags: ConditionName[]
  /** a line for the persona's prompt, in its own voice; null when fresh */
  note: string | null
  /** share of the requested token budget a reply gets (replyTokenBudget) */
  replyBudgetFactor: number
}

/** Fatigue from this many interaction points on sounds tired (one point per 30 s of talk). */
export const TIRED_FATIGUE = 10
/** the resource limits of section 4's continue score: under 60 s of time or 30 energy a persona is short of them */
export const SHORT_OF_TIME_BELOW = 60
export const LOW_ENERGY_BELOW = 30
/** no reply is cut below this many tokens (or the budget asked for, when smaller) */
export const MIN_REPLY_TOKENS = 24

// most telling first; the factors multiply
const EFFECTS: Record<Exclude<ConditionName, 'fresh'>, { factor: number, note: string }> = {
  exhausted: { factor: 0.4, note: 'You are worn out and have almost nothing left to give: say so in your own way and keep to a sentence or two.' },
  resting: { factor: 0.7, note: 'You have just come out of a long conversation and are still catching your breath; it may show.' },
  low_energy: { factor: 0.6, note: 'Your social energy is low: you are quieter than usual and answer briefly.' },
  short_of_time: { factor: 0.6, note: 'You are short of time, other things are waiting: mention it if it fits and keep your answer short.' },
  tired: { factor: 0.8, note: 'You are getting tired from all the talking: let it show a little and keep answers shorter.' },
}

/** How the state feels: what colours a persona's answers (prompt note, shorter replies, persona.status). */
export function conditionOf (state: InteractionState, nowMs: number, rules: StateRules): Condition {
  const holds: Record<Exclude<ConditionName, 'fresh'>, boolean> = {
    exhausted: state.socialEnergy <= rules.minSocialEnergy || state.availableTime <= rules.minAvailableTime,
    resting: cooldownRemaining(state, nowMs) > 0,
    low_energy: state.socialEnergy < LOW_ENERGY_BELOW,
    short_of_time: state.availableTime < SHORT_OF_TIME_BELOW,
    tired: state.interactionFatigue >= TIRED_FATIGUE,
  }
  const flags = (Object.keys(EFFECTS) as Array<keyof typeof EFFECTS>).filter((name) => holds[name])
  return {
    state: flags[0] ?? 'fresh',
    flags,
    note: flags.length === 0 ? null : flags.map((name) => EFFECTS[name].note).join(' '),
    replyBudgetFactor: Math.round(flags.reduce((f, name) => f * EFFECTS[name].factor, 1) * 1000) / 1000,
  }
}

/** The token budget a reply gets in this condition: shorter when tired, never below MIN_REPLY_TOKENS. */
export function replyTokenBudget (requested: number, condition: Pick<Condition, 'replyBudgetFactor'>): number {
  const floor = Math.min(requested, MIN_REPLY_TOKENS)
  return Math.max(floor, Math.min(requested, Math.round(requested * condition.replyBudgetFactor)))
}
