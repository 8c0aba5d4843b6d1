// Emotional state of original-api.md section 6, plus the per-turn drift and hourly regeneration the earlier
// server defined but never ran. Pure functions over plain values.

export interface EmotionalState {
  /** -1..1 */
  mood: number
  /** 0..1 */
  energyLevel: number
  /** 0..1 */
  stressLevel: number
  /** 0..1 */
  curiosity: number
  /** 0..1 */
  socialBattery: number
  /** epoch milliseconds of the last regeneration */
  updatedAt: number
}

export type EmotionValues = Omit<EmotionalState, 'updatedAt'>

/** Structurally the `emotions` config section. */
export interface EmotionRules {
  initial: EmotionValues
  moodPerTurn: number
  stressPerTurn: number
  energyDrainPerTurn: number
  socialBatteryDrainPerTurn: number
  regenerationPerHour: number
}

const FIELDS = ['mood', 'energyLevel', 'stressLevel', 'curiosity', 'socialBattery'] as const
const HOUR_MS = 3_600_000

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x))

/** Clamps the fields given to their ranges (mood -1..1, the rest 0..1); non-numbers are dropped, as update_state must not store NaN. */
export function clampEmotion (partial: Partial<EmotionValues>): Partial<EmotionValues> {
  const out: Partial<EmotionValues> = {}
  for (const f of FIELDS) {
    const v = partial[f]
    if (typeof v !== 'number' || !Number.isFinite(v)) continue
    out[f] = clamp(v, f === 'mood' ? -1 : 0, 1)
  }
  return out
}

/** The row a first read creates (mood 0.5, energy 0.7, stress 0.3, curiosity 0.6, social battery 0.8 by default). */
export function initialEmotion (rules: Pick<EmotionRules, 'initial'>, nowMs: number = Date.now()): EmotionalState {
  return { ...rules.initial, ...clampEmotion(rules.initial), updatedAt: nowMs }
}

/**
 * One conversation turn of quality -1..1: warm turns lift mood and ease stress, hostile ones do the opposite, and
 * every turn costs a little energy and social battery. `updatedAt` stays the regeneration clock, so it is not moved.
 */
export function driftFromTurn (state: EmotionalState, quality: number, rules: EmotionRules): EmotionalState {
  return addEmotion(state, turnDeltas(quality, rules))
}

/** The deltas added to the fields, each clamped to its range; `updatedAt` untouched. */
function addEmotion (state: EmotionalState, add: Partial<EmotionValues>): EmotionalState {
  const next = { ...state }
  for (const f of FIELDS) {
    const d = add[f]
    if (typeof d === 'number' && Number.isFinite(d)) next[f] = clamp(state[f] + d, f === 'mood' ? -1 : 0, 1)
  }
  return next
}

/**
 * Every field moves toward its initial value, closing `regenerationPerHour` of the gap per hour. The decay is
 * exponential in elapsed time, so one call after 2 h equals two calls an hour apart: the cron interval does not matter.
 */
export function regenerateEmotion (state: EmotionalState, nowMs: number, rules: Pick<EmotionRules, 'initial' | 'regenerationPerHour'>): EmotionalState {
  if (!(nowMs > state.updatedAt)) return state
  const keep = Math.pow(1 - clamp(rules.regenerationPerHour, 0, 1), (nowMs - state.updatedAt) / HOUR_MS)
  const next = { ...state, updatedAt: nowMs }
  for (const f of FIELDS) next[f] = rules.initial[f] + (state[f] - rules.initial[f]) * keep
  return next
}

/**
 * A change to one persona's mood as the store applies it, under the row's lock: regenerated up to `at`
 * first, then `set` (absolute values), then `add` (deltas), clamped. Deltas, not whole states, so two
 * instances changing one mood at once both count.
 */
export interface EmotionChange {
  at: number
  rules: Pick<EmotionRules, 'initial' | 'regenerationPerHour'>
  set?: Partial<EmotionValues>
  add?: Partial<EmotionValues>
}

/** What `change` makes of the stored state (null: none yet, so the initial values). */
export function applyEmotionChange (current: EmotionalState | null, change: EmotionChange): EmotionalState {
  const regenerated = regenerateEmotion(current ?? initialEmotion(change.rules, change.at), change.at, change.rules)
  return addEmotion({ ...regenerated, ...clampEmotion(change.set ?? {}) }, change.add ?? {})
}

/** The deltas of one conversation turn of quality -1..1 (see driftFromTurn). */
export function turnDeltas (quality: number, rules: EmotionRules): Partial<EmotionValues> {
  const q = clamp(Number.isFinite(quality) ? quality : 0, -1, 1)
  return { mood: q * rules.moodPerTurn, stressLevel: -q * rules.stressPerTurn, energyLevel: -rules.energyDrainPerTurn, socialBattery: -rules.socialBatteryDrainPerTurn }
}

/** A short phrase for the prompt, e.g. "cheerful and rested", "tense and tired". */
export function moodWords (state: EmotionValues): string {
  const feeling = state.stressLevel >= 0.7 ? 'tense'
    : state.mood >= 0.6 ? 'cheerful'
      : state.mood >= 0.2 ? (state.stressLevel >= 0.5 ? 'uneasy' : 'content')
        : state.mood > -0.2 ? (state.stressLevel >= 0.5 ? 'on edge' : 'calm')
          : state.mood > -0.6 ? 'glum' : 'upset'
  const energy = state.energyLevel >= 0.6 ? 'rested' : state.energyLevel >= 0.3 ? 'a little weary' : 'tired'
  const social = state.socialBattery < 0.25 ? ', wanting some quiet' : state.curiosity >= 0.8 ? ', eager to learn more' : ''
  return `${feeling} and ${energy}${social}`
}
