/** A watcher of events: a connection that asked for some topics. */
export interface Subscriber {
  readonly id: string
  /** sends pre-serialised text; false when the peer has fallen too far behind */
  send (text: string): boolean
}

export interface EventBusOptions {
  log: { warn (obj: object, msg?: string): void }
}

/**
 * Topic pub/sub for clients watching the world: `conversation.<id>`, `persona.<id>`, with a trailing
 * `*` matching any suffix (`conversation.*`, `*`). An event is serialised once, whatever the number
 * of subscribers; a subscriber that cannot keep up is dropped, never buffered without bound.
 */
export function createEventBus ({ log }: EventBusOptions) {
  const subscriptions = new Map<string, { subscriber: Subscriber, topics: Set<string> }>()

  const matches = (pattern: string, topic: string) =>
    pattern === topic || (pattern.endsWith('*') && topic.startsWith(pattern.slice(0, -1)))

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

    publish (topic: string, event: string, data: Record<string, unknown>): number {
      let text: string | undefined
      let delivered = 0
      for (const [id, { subscriber, topics }] of subscriptions) {
        let wanted = false
        for (const pattern of topics) if (matches(pattern, topic)) { wanted = true; break }
        if (!wanted) continue
        text ??= JSON.stringify({ jsonrpc: '2.0', method: 'events.event', params: { topic, event, timestamp: new Date().toISOString(), data } })
        if (subscriber.send(text)) delivered++
        else {
          subscriptions.delete(id)
          log.warn({ subscriber: id, topic }, 'event subscriber too slow, dropped')
        }
      }
      return delivered
    },

    get size () { return subscriptions.size },
  }
}

export type EventBus = ReturnType<typeof createEventBus>
