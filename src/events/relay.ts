// Events cross instances through the cluster channel: each instance sends what it publishes and delivers
// what the others sent to its own subscribers, under the same audience rule (the audience travels along).
// Sending is bounded: events raised in one tick go as one message (the channel splits long ones), one
// message is in flight at a time (which also keeps them in order), and the events waiting behind it are
// capped; past the cap the oldest are dropped, counted, and warned of at most once per interval, so a burst
// of events, or a database that stalls, never piles up work in the pool.
import type { Cluster } from './cluster.ts'
import type { RelayedEvent } from './bus.ts'

/** one event, as instances before batching sent it (still accepted during a rolling upgrade) */
const KIND = 'event'
const BATCH_KIND = 'events'

export interface RelayOptions {
  log: { warn (obj: object, msg?: string): void }
  /** events waiting to be sent at most */
  maxQueued?: number
  /** events per message at most */
  maxBatch?: number
  /** drops are warned of at most once per this many ms */
  warnEveryMs?: number
  now?: () => number
}

export interface RelayStats {
  /** events never sent to the other instances because the backlog was full */
  readonly dropped: number
  readonly queued: number
}

export function relayEvents (cluster: Cluster, { log, maxQueued = 1000, maxBatch = 250, warnEveryMs = 60_000, now = Date.now }: RelayOptions) {
  const queue: RelayedEvent[] = []
  let sending = false
  let scheduled = false
  let closed = false
  let dropped = 0
  let unreported = 0
  let warnedAt = -Infinity

  const noteDrop = () => {
    dropped++
    unreported++
    if (now() - warnedAt < warnEveryMs) return
    warnedAt = now()
    log.warn({ dropped: unreported, maxQueued }, 'event relay backlog full: the oldest events were not sent to the other instances')
    unreported = 0
  }

  const flush = async () => {
    scheduled = false
    sending = true
    try {
      // what arrives while a message is in flight goes in the next one
      while (queue.length > 0 && !closed) await cluster.publish({ kind: BATCH_KIND, events: queue.splice(0, maxBatch) })
    } finally { sending = false }
  }

  const send = (event: RelayedEvent) => {
    if (closed) return
    if (queue.length >= maxQueued) { queue.shift(); noteDrop() }
    queue.push(event)
    if (sending || scheduled) return
    scheduled = true
    setImmediate(() => { void flush() })
  }

  const stats: RelayStats = { get dropped () { return dropped }, get queued () { return queue.length } }

  return {
    /** undefined for a cluster of one: nobody to tell */
    send: cluster.scope === 'one' ? undefined : send,
    stats,
    deliverTo (bus: { deliver (event: RelayedEvent): number }): () => void {
      return cluster.subscribe((message) => {
        if (message.kind === BATCH_KIND && Array.isArray(message.events)) for (const event of message.events) deliverOne(bus, event)
        else if (message.kind === KIND) deliverOne(bus, message)
      })
    },
    /** what is still queued is not sent: the channel is closing */
    close (): void {
      closed = true
      queue.length = 0
    },
  }
}

function deliverOne (bus: { deliver (event: RelayedEvent): number }, message: unknown) {
  if (typeof message !== 'object' || message === null) return
  const { topic, event, data, audience, timestamp } = message as RelayedEvent
  if (typeof topic !== 'string' || typeof event !== 'string' || typeof data !== 'object' || data === null) return
  bus.deliver({ topic, event, data, audience: audience === 'public' || (typeof audience === 'object' && audience !== null) ? audience : { owner: null }, timestamp })
}

export type EventRelay = ReturnType<typeof relayEvents>
