// The ports the system domain needs from a database: is it there, and the stored counts /metrics reports.

export interface StoreHealth {
  /** resolves when the database answers a trivial query, rejects (with why) when it does not */
  ping (): Promise<void>
}

export interface StoredCounts {
  /** live (not pruned) memories of every persona, by persona name; personas without any count 0 */
  memoriesPerPersona (): Promise<Array<{ persona: string, memories: number }>>
  /** pruned memories that memory.restore can still bring back */
  prunedMemories (): Promise<number>
  pruneRuns (): Promise<number>
  decayRuns (): Promise<number>
}
