// Tier 2 as a pure planner: which memories one prune run would remove, and why (or why not).
// The caller applies the plan (soft delete: prunedAt + pruneRunId, restorable until purged).

export interface PruneCandidate {
  id: string
  importance: number
  accessCount: number
  /** epoch ms */
  lastAccessedAt: number | null
  /** epoch ms */
  createdAt: number
}

/** The `memory.pruning` config section (the keys the planner uses). */
export interface PruningParams {
  maxMemories: number
  targetCount: number
  minMemories: number
  importanceThreshold: number
  batchSize: number
  maxImportantFraction: number
  protectAccessedWithinHours: number
  protectAccessCount: number
  protectYoungerThanHours: number
}

export interface PrunePlan {
  action: 'none' | 'prune' | 'abort'
  reason: string
  /** ids to prune, lowest importance first */
  prune: string[]
  currentCount: number
  /** what the plan aims for: max(targetCount, minMemories) */
  targetCount: number
  averageImportancePruned: number
  averageImportanceKept: number
  /** [min, max] importance of the pruned ones, null when none */
  importanceRange: [number, number] | null
}

const HOUR_MS = 3_600_000

/** Recently or often used, or too new to judge: never pruned. */
export function isPruneProtected (m: PruneCandidate, p: PruningParams, nowMs: number): boolean {
  return (m.lastAccessedAt !== null && nowMs - m.lastAccessedAt < p.protectAccessedWithinHours * HOUR_MS) ||
    m.accessCount >= p.protectAccessCount ||
    nowMs - m.createdAt < p.protectYoungerThanHours * HOUR_MS
}

const mean = (xs: number[]): number => xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length

/**
 * Plans one prune run. Removes only unprotected memories below importanceThreshold, lowest first,
 * at most batchSize, never taking the persona below max(targetCount, minMemories). Without `force`
 * nothing happens until the persona is above maxMemories.
 *
 * Abort rule (maxImportantFraction): let `needed` = currentCount - target and `shortfall` = how many
 * of those the unimportant, unprotected candidates cannot cover, i.e. how many memories that matter
 * (at/above the threshold, or protected) the seed's plan would have to take to reach the target. When
 * shortfall > maxImportantFraction * needed, the persona's excess is mostly memories that matter:
 * shaving the small unimportant tail would not fix it, so the run aborts and removes nothing (the seed
 * aborts whenever candidates < needed, i.e. fraction 0). `force` (an operator's explicit request)
 * skips both the maxMemories trigger and this abort, but never the threshold, protections, batch
 * size or the floor.
 */
export function planPrune (memories: PruneCandidate[], p: PruningParams, nowMs: number, force: boolean): PrunePlan {
  const currentCount = memories.length
  const target = Math.max(p.targetCount, p.minMemories)
  const result = (action: PrunePlan['action'], reason: string, pruned: PruneCandidate[] = []): PrunePlan => {
    const ids = new Set(pruned.map((m) => m.id))
    const imp = pruned.map((m) => m.importance)
    return {
      action,
      reason,
      prune: pruned.map((m) => m.id),
      currentCount,
      targetCount: target,
      averageImportancePruned: mean(imp),
      averageImportanceKept: mean(memories.filter((m) => !ids.has(m.id)).map((m) => m.importance)),
      // pruned is sorted ascending
      importanceRange: imp.length === 0 ? null : [imp[0] ?? 0, imp[imp.length - 1] ?? 0]
    }
  }

  if (!force && currentCount <= p.maxMemories) return result('none', `${currentCount} memories, not above the maximum of ${p.maxMemories}`)
  const needed = currentCount - target
  if (needed <= 0) return result('none', `${currentCount} memories, already at or below the target of ${target}`)

  // lowest importance first; ties: oldest first, then id, so plans are reproducible
  const candidates = memories
    .filter((m) => m.importance < p.importanceThreshold && !isPruneProtected(m, p, nowMs))
    .sort((a, b) => a.importance - b.importance || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const shortfall = Math.max(0, needed - candidates.length)
  if (!force && shortfall > p.maxImportantFraction * needed) {
    return result('abort', `reaching ${target} needs ${needed} removals but only ${candidates.length} memories are unprotected and below ${p.importanceThreshold}: ` +
      `${shortfall} would have to be memories that matter (more than ${Math.round(p.maxImportantFraction * 100)}% of the removals)`)
  }
  if (candidates.length === 0) return result('none', `no unprotected memories below ${p.importanceThreshold}`)

  const pruned = candidates.slice(0, Math.min(needed, p.batchSize, candidates.length))
  const more = needed > pruned.length && candidates.length > pruned.length ? '; more in later runs' : ''
  return result('prune', `pruning ${pruned.length} of ${needed} towards ${target}${more}`, pruned)
}

export interface PruneRecommendation {
  needs_pruning: boolean
  current_count: number
  target_count: number
  recommendation: string
  would_prune?: number
  average_importance_to_prune?: number
  importance_range_to_prune?: [number, number] | null
}

/** original-api.md memory.prune_recommendations: what a non-forced memory.prune would do now. */
export function pruneRecommendation (memories: PruneCandidate[], p: PruningParams, nowMs: number): PruneRecommendation {
  const plan = planPrune(memories, p, nowMs, false)
  const base = { needs_pruning: memories.length > p.maxMemories, current_count: memories.length, target_count: plan.targetCount }
  if (!base.needs_pruning) return { ...base, recommendation: `No pruning needed: ${plan.reason}.` }
  const recommendation = plan.action === 'prune'
    ? `Prune ${plan.prune.length} low-importance memories (${plan.reason}).`
    : `Pruning would abort: ${plan.reason}. Consider raising maxMemories or the importance threshold.`
  return {
    ...base,
    recommendation,
    would_prune: plan.prune.length,
    average_importance_to_prune: plan.averageImportancePruned,
    importance_range_to_prune: plan.importanceRange
  }
}
