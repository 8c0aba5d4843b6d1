// Cache invalidation across instances: each service caches what it reads and writes through, so after a
// committed write it announces what changed (a topic and an id), and every other instance drops or re-reads
// its copy. Announcements are coalesced: one cluster message lists every key changed in a burst (writes less
// than QUIET_MS apart, for at most MAX_WAIT_MS; a turn's writes are awaited one after the other, with a
// memory write between them), so a chat turn (persona state, relationship, mood) costs one NOTIFY, not three;
// the other instances lag by that much at most. A cluster of one (SQLite) has
// nobody to tell: its announcers are undefined, and a service's `announce?.(id)` costs nothing.
// Announcements sent while this instance's channel was down are lost: once it is back, every registered
// cache drops (or re-reads) everything it holds, as nobody can say which of its entries went stale.
import type { Cluster } from './cluster.ts'

const KIND = 'invalidate'
/** a burst ends when nothing more is announced for this long */
const QUIET_MS = 25
/** ...or when it has been gathering this long */
const MAX_WAIT_MS = 250

/**
 * what changed: a persona row, a relationship pair key, a mood, an API key id, everything of a user, a
 * session's thread with a persona (a turn: `threadKey`), an MCP HTTP session's subscriptions or log level,
 * an MCP task cancelled (the instance running it stops it)
 */
export type InvalidationTopic = 'persona' | 'relationship' | 'emotion' | 'apiKey' | 'user' | 'thread' | 'mcpSession' | 'mcpTask'

/** a thread's id in announcements: its session and persona (neither holds a newline) */
export const threadKey = (sessionId: string, personaId: string) => `${sessionId}\n${personaId}`
export function parseThreadKey (key: string): { sessionId: string, personaId: string } | undefined {
  const [sessionId, personaId, ...rest] = key.split('\n')
  return sessionId && personaId && rest.length === 0 ? { sessionId, personaId } : undefined
}

export interface Invalidation {
  /** announces ids of `topic` after a committed write; undefined when no other instance exists */
  announcer (topic: InvalidationTopic): ((id: string) => void) | undefined
  /** ids of `topic` another instance changed: drop or re-read them */
  on (topic: InvalidationTopic, handler: (ids: string[]) => void | Promise<void>): void
  /** announcements may have been lost: drop (or re-read) everything cached */
  onResync (forgetAll: () => void | Promise<void>): void
  /** sends what is pending now (before the database closes) */
  flush (): Promise<void>
}

interface Logger { warn (obj: object, msg?: string): void }

export function createInvalidation (cluster: Cluster, log: Logger): Invalidation {
  const handlers = new Map<string, Array<(ids: string[]) => void | Promise<void>>>()
  const forgetAlls: Array<() => void | Promise<void>> = []
  const pending = new Map<string, Set<string>>()
  let scheduled: NodeJS.Timeout | undefined
  let burstStarted = 0

  const flush = async () => {
    clearTimeout(scheduled)
    scheduled = undefined
    if (pending.size === 0) return
    const keys = Object.fromEntries([...pending].map(([topic, ids]) => [topic, [...ids]]))
    pending.clear()
    await cluster.publish({ kind: KIND, keys })
  }

  const run = (handler: () => void | Promise<void>, topic: string) => {
    const failed = (err: unknown) => { log.warn({ err, topic }, 'a cache invalidation failed') }
    try { Promise.resolve(handler()).catch(failed) } catch (err) { failed(err) }
  }

  if (cluster.scope === 'many') {
    cluster.subscribe((message) => {
      if (message.kind !== KIND || typeof message.keys !== 'object' || message.keys === null) return
      for (const [topic, ids] of Object.entries(message.keys as Record<string, unknown>)) {
        if (!Array.isArray(ids)) continue
        const valid = ids.filter((id): id is string => typeof id === 'string')
        for (const handler of handlers.get(topic) ?? []) run(() => handler(valid), topic)
      }
    })
    cluster.onResync(() => { for (const forgetAll of forgetAlls) run(forgetAll, 'all') })
  }

  return {
    announcer (topic) {
      if (cluster.scope === 'one') return undefined
      return (id) => {
        let ids = pending.get(topic)
        if (ids === undefined) pending.set(topic, ids = new Set())
        ids.add(id)
        const now = Date.now()
        if (scheduled === undefined) burstStarted = now
        clearTimeout(scheduled)
        scheduled = setTimeout(() => { void flush() }, Math.max(0, Math.min(QUIET_MS, burstStarted + MAX_WAIT_MS - now)))
      }
    },
    on (topic, handler) {
      if (cluster.scope === 'one') return
      const list = handlers.get(topic) ?? []
      list.push(handler)
      handlers.set(topic, list)
    },
    onResync (forgetAll) {
      if (cluster.scope === 'one') return
      forgetAlls.push(forgetAll)
    },
    flush,
  }
}
