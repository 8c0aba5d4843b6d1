import type { McpSessionRepository } from './repository.ts'

// mcp.maxSessionsPerUser for the Streamable HTTP sessions: how many a user holds, and which of theirs gives
// way when they open one more at the cap. Alone, this instance's count decides; with other instances the
// records do, as they know of the sessions held and used everywhere.

/** what the cap needs of a session held here */
export interface CappedSession {
  /** set once initialised */
  id?: string
  userId: string
  /** requests under way (the GET stream counts) */
  active: number
  lastSeen: number
}

export interface UserCapOptions<E extends CappedSession> {
  maxPerUser: number
  /** the initialised sessions held here, by id */
  table: ReadonlyMap<string, E>
  store?: Pick<McpSessionRepository, 'liveOf'>
  shared: boolean
  /** sessions last seen before this are idle-expired */
  cutoff: () => Date
}

export function createUserCap<E extends CappedSession> ({ maxPerUser, table, store, shared, cutoff }: UserCapOptions<E>) {
  /** sessions per user held here, those still initialising included */
  const held = new Map<string, number>()

  /** the user's session here that has waited longest with no request under way */
  const oldestIdle = (userId: string): E | undefined => {
    let oldest: E | undefined
    for (const entry of table.values()) {
      if (entry.userId === userId && entry.active === 0 && (oldest === undefined || entry.lastSeen < oldest.lastSeen)) oldest = entry
    }
    return oldest
  }

  return {
    /** a session of the user's began (1) or ended (-1) here */
    count (userId: string, by: number): void {
      const n = (held.get(userId) ?? 0) + by
      if (n > 0) held.set(userId, n)
      else held.delete(userId)
    },

    /**
     * The session to end so that the user may open another, when they are at the cap: their least recently
     * used one with no request under way here. Shared, the records decide (they know of use on every instance,
     * and a session another instance holds then 404s there on its next use). undefined: under the cap; null:
     * at it, with none to end.
     */
    async victimFor (userId: string): Promise<{ id?: string, entry?: E } | null | undefined> {
      if (!shared || !store) {
        if ((held.get(userId) ?? 0) < maxPerUser) return undefined
        const entry = oldestIdle(userId)
        return entry ? { id: entry.id, entry } : null
      }
      const live = await store.liveOf(userId, cutoff())
      const initialising = (held.get(userId) ?? 0) - [...table.values()].filter((e) => e.userId === userId).length
      if (live.length + initialising < maxPerUser) return undefined
      const oldest = live.find((r) => (table.get(r.id)?.active ?? 0) === 0)
      return oldest ? { id: oldest.id, entry: table.get(oldest.id) } : null
    },
  }
}
