// Tier 3 decay curves as pure functions. Decay is stateless: the importance of a memory is always
// recomputed from its stored baseImportance and its age, so a run can be repeated (or rerun after a
// config change) without compounding, and any value can be explained from the row alone.
// src/store/sqlite/memories-decay.ts computes exactly the same thing set-based in SQLite; keep the two in step.

export const DECAY_MODES = ['linear', 'exponential', 'logarithmic', 'step', 'access_based'] as const
export type DecayMode = typeof DECAY_MODES[number]

export const DAY_MS = 86_400_000

/** The decay settings the curves need (the `memory.decay` config section satisfies this). */
export interface DecayParams {
  mode: string
  /** per day */
  rate: number
  floor: number
  stepDays: number
  maxDecayDays: number
  protectImportance: number
}

export interface DecayInput {
  baseImportance: number
  accessCount: number
  /** epoch ms or Date */
  createdAt: number | Date
  lastAccessedAt: number | Date | null
  /** object, or the JSON text stored in the row */
  metadata?: unknown
}

export function isDecayMode (mode: string): mode is DecayMode {
  return (DECAY_MODES as readonly string[]).includes(mode)
}

const ms = (d: number | Date): number => typeof d === 'number' ? d : d.getTime()

/** Pinned through `metadata.pinned === true` (the literal boolean, as the SQL checks json_type = 'true'). */
export function isPinned (metadata: unknown): boolean {
  let m = metadata
  if (typeof m === 'string') {
    try { m = JSON.parse(m) } catch { return false }
  }
  return typeof m === 'object' && m !== null && !Array.isArray(m) && (m as { pinned?: unknown }).pinned === true
}

export function isDecayProtected (memory: Pick<DecayInput, 'baseImportance' | 'metadata'>, params: Pick<DecayParams, 'protectImportance'>): boolean {
  return memory.baseImportance >= params.protectImportance || isPinned(memory.metadata)
}

/** Age in days used by a mode: from creation, or from the last access for access_based; capped at maxDecayDays, never negative. */
export function decayAgeDays (memory: DecayInput, mode: DecayMode, maxDecayDays: number, nowMs: number): number {
  const from = mode === 'access_based' ? (memory.lastAccessedAt ?? memory.createdAt) : memory.createdAt
  return Math.min(Math.max(nowMs - ms(from), 0) / DAY_MS, maxDecayDays)
}

/**
 * The raw curve value before the floor/base clamp. The operation order mirrors the SQL in
 * src/store/sqlite/memories-decay.ts so both give the same doubles (up to libm's last bit).
 */
export function decayCurve (mode: DecayMode, base: number, t: number, params: Pick<DecayParams, 'rate' | 'stepDays'>, accessCount = 0): number {
  const { rate, stepDays } = params
  switch (mode) {
    case 'linear': return base - rate * t
    case 'exponential': return base * Math.exp(-rate * t)
    case 'logarithmic': return base * (1 - rate * Math.log(1 + t))
    // a rate above 1 would make the factor negative: it means "gone after one step", so clamp at 0
    case 'step': return base * Math.pow(Math.max(1 - rate, 0), Math.floor(t / stepDays))
    // often-recalled memories fade slower: the rate is shared out over the accesses
    case 'access_based': return base * Math.exp(-(rate / (1 + accessCount)) * t)
  }
}

/** Never above base, never below floor; a base already under the floor is left as it is (decay never raises). */
export function clampDecayed (base: number, value: number, floor: number): number {
  return base < floor ? base : Math.min(base, Math.max(floor, value))
}

/** The importance a memory should have at `nowMs`; protected memories keep their base importance. */
export function decayedImportance (memory: DecayInput, params: DecayParams, nowMs: number): number {
  if (!isDecayMode(params.mode)) throw new Error(`unknown decay mode "${params.mode}"`)
  if (isDecayProtected(memory, params)) return memory.baseImportance
  const t = decayAgeDays(memory, params.mode, params.maxDecayDays, nowMs)
  const v = decayCurve(params.mode, memory.baseImportance, t, params, memory.accessCount)
  return clampDecayed(memory.baseImportance, v, params.floor)
}
