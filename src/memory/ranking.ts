// Retrieval ranking: the combined score of a memory for a query.
//
//   score = wS * similarity + wI * importance + wR * recency
//   recency = 0.5 ^ (days since last access, or since creation, / half-life)
//
// similarity is the cosine (-1..1) from the vector index; importance 0..1 (after decay); the weights
// come from config memory.retrieval (defaults 0.6 / 0.3 / 0.1) and need not sum to 1.

export interface RankWeights {
  similarity: number
  importance: number
  recency: number
  recencyHalfLifeDays: number
}

export interface Rankable {
  similarity: number
  importance: number
  lastAccessedAt: number | null
  createdAt: number
}

export function recencyOf (memory: Pick<Rankable, 'lastAccessedAt' | 'createdAt'>, nowMs: number, halfLifeDays: number): number {
  const days = Math.max(0, nowMs - (memory.lastAccessedAt ?? memory.createdAt)) / 86_400_000
  return 0.5 ** (days / halfLifeDays)
}

export function combinedScore (memory: Rankable, weights: RankWeights, nowMs: number): number {
  return weights.similarity * memory.similarity +
    weights.importance * memory.importance +
    weights.recency * recencyOf(memory, nowMs, weights.recencyHalfLifeDays)
}
