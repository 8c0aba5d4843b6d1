// Cache invalidation across instances: each service caches what it reads and writes through, so after a
// committed write it announces what changed (a topic and an id), and every other instance drops or re-reads
// its copy. Announcements are coalesced: one cluster message lists every key changed within a short window
// (a few sequential writes, not one tick: a turn's writes are awaited one after the other), so a chat turn
// (persona state, relationship, moods) costs one NOTIFY, not four; other instances lag by that window at most. A cluster of one (SQLite) has
// nobody to tell: its announcers are undefined, and a service's `announce?.(id)` costs nothing.
import type { Cluster } from './cluster.ts'

const KIND = 'invalidate'
/** how long announcements gather before they are sent together */
const WINDOW_MS = 25

/** what changed: a persona row, a relationship pair key, a mood, an API key id, everything of a user */
export type InvalidationTopic = 'persona' | 'relationship' | 'emotion' | 'apiKey' | 'user'

export interface Invalidation {
  /** announces ids of `topic` after a committed write; undefined when no other instance exists */
  announcer (topic: InvalidationTopic): ((id: string) => void) | undefined
  /** ids of `topic` another instance changed: drop or re-read them */
  on (topic: InvalidationTopic, handler: (ids: string[]) => void | Promise<void>): void
  /** sends what is pending now (before the database closes) */
  flush (): Promise<void>
}

interface Logger { warn (obj: object, msg?: string): void }

export function createInvalidation (cluster: Cluster, log: Logger): Invalidation {
  const handlers = new Map<string, Array<(ids: string[]) => void | Promise<void>>>()
  const pending = new Map<string, Set<string>>()
  let scheduled: NodeJS.Timeout | undefined

  const flush = async () => {
    clearTimeout(scheduled)
    scheduled = undefined
    if (pending.size === 0) return
    const keys = Object.fromEntries([...pending].map(([topic, ids]) => [topic, [...ids]]))
    pending.clear()
    await cluster.publish({ kind: KIND, keys })
  }

  if (cluster.scope === 'many') {
    cluster.subscribe((message) => {
      if (message.kind !== KIND || typeof message.keys !== 'object' || message.keys === null) return
      for (const [topic, ids] of Object.entries(message.keys as Record<string, unknown>)) {
        if (!Array.isArray(ids)) continue
        const valid = ids.filter((id): id is string => typeof id === 'string')
        for (const handler of handlers.get(topic) ?? []) {
          Promise.resolve(handler(valid)).catch((err: unknown) => { log.warn({ err, topic }, 'a cache invalidation failed') })
        }
      }
    })
  }

  return {
    announcer (topic) {
      if (cluster.scope === 'one') return undefined
      return (id) => {
        let ids = pending.get(topic)
        if (ids === undefined) pending.set(topic, ids = new Set())
        ids.add(id)
        scheduled ??= setTimeout(() => { void flush() }, WINDOW_MS)
      }
    },
    on (topic, handler) {
      if (cluster.scope === 'one') return
      const list = handlers.get(topic) ?? []
      list.push(handler)
      handlers.set(topic, list)
    },
    flush,
  }
}
