import type { UserIdentity } from '../rpc/caller.ts'

/** A watcher of events: a connection that asked for some topics. */
export interface Subscriber {
  readonly id: string
  /** whose connection it is: decides which events it may see */
  readonly user: UserIdentity
  /** sends pre-serialised text; false when the peer has fallen too far behind */
  send (text: string): boolean
}

/**
 * Who may see an event: everyone (a persona's state or mood, personas being visible to all), or the
 * user who owns what it carries (a persona-to-persona conversation, a visual update). Admins see all;
 * an event of no known owner (`owner: null`) reaches admins only.
 */
export type Audience = 'public' | { readonly owner: string | null }

/** The one rule of delivery, exported for tests and other faces. */
export function mayReceive (user: UserIdentity, audience: Audience): boolean {
  return audience === 'public' || user.scope === 'admin' || (audience.owner !== null && audience.owner === user.id)
}

export interface EventBusOptions {
  log: { warn (obj: object, msg?: string): void }
  /** every event published here, for the other instances on the database (they deliver it themselves) */
  relay?: (event: RelayedEvent) => void
}

/** An event as it travels between instances. */
export interface RelayedEvent { topic: string, event: string, data: Record<string, unknown>, audience: Audience, timestamp: string }

/**
 * Topic pub/sub for clients watching the world: `conversation.<id>`, `persona.<id>`, with a trailing
 * `*` matching any suffix (`conversation.*`, `*`). Every event carries its audience, and a subscriber
 * outside it never hears of it, whatever pattern it asked for. An event is serialised once, whatever
 * the number of subscribers; a subscriber that cannot keep up is dropped, never buffered without bound.
 */
export function createEventBus ({ log, relay }: EventBusOptions) {
  const subscriptions = new Map<string, { subscriber: Subscriber, topics: Set<string> }>()

  const matches = (pattern: string, topic: string) =>
    pattern === topic || (pattern.endsWith('*') && topic.startsWith(pattern.slice(0, -1)))

  const deliver = ({ topic, event, data, audience, timestamp }: RelayedEvent): number => {
    let text: string | undefined
    let delivered = 0
    for (const [id, { subscriber, topics }] of subscriptions) {
      if (!mayReceive(subscriber.user, audience)) continue
      let wanted = false
      for (const pattern of topics) if (matches(pattern, topic)) { wanted = true; break }
      if (!wanted) continue
      text ??= JSON.stringify({ jsonrpc: '2.0', method: 'events.event', params: { topic, event, timestamp, data } })
      if (subscriber.send(text)) delivered++
      else {
        subscriptions.delete(id)
        log.warn({ subscriber: id, topic }, 'event subscriber too slow, dropped')
      }
    }
    return delivered
  }

  return {
    subscribe (subscriber: Subscriber, topics: string[]): string[] {
      const entry = subscriptions.get(subscriber.id) ?? { subscriber, topics: new Set<string>() }
      for (const topic of topics) entry.topics.add(topic)
      subscriptions.set(subscriber.id, entry)
      return [...entry.topics]
    },

    /** removes the topics given, or all of them; returns what is left */
    unsubscribe (subscriberId: string, topics?: string[]): string[] {
      const entry = subscriptions.get(subscriberId)
      if (!entry) return []
      if (topics === undefined) entry.topics.clear()
      else for (const topic of topics) entry.topics.delete(topic)
      if (entry.topics.size === 0) subscriptions.delete(subscriberId)
      return [...entry.topics]
    },

    publish (topic: string, event: string, data: Record<string, unknown>, audience: Audience): number {
      const timestamp = new Date().toISOString()
      relay?.({ topic, event, data, audience, timestamp })
      return deliver({ topic, event, data, audience, timestamp })
    },

    /** an event another instance published: to this instance's subscribers only */
    deliver,

    get size () { return subscriptions.size },
  }
}

export type EventBus = ReturnType<typeof createEventBus>
