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
