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
