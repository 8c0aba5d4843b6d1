// Events cross instances through the cluster channel: each instance sends what it publishes and delivers
// what the others sent to its own subscribers, under the same audience rule (the audience travels along).
import type { Cluster } from './cluster.ts'
import type { RelayedEvent } from './bus.ts'

const KIND = 'event'

export function relayEvents (cluster: Cluster) {
  return {
    /** undefined for a cluster of one: nobody to tell */
    send: cluster.scope === 'one' ? undefined : (event: RelayedEvent) => { cluster.publish({ kind: KIND, ...event }) },
    deliverTo (bus: { deliver (event: RelayedEvent): number }): () => void {
      return cluster.subscribe((message) => {
        if (message.kind !== KIND) return
        const { topic, event, data, audience, timestamp } = message as unknown as RelayedEvent
        if (typeof topic !== 'string' || typeof event !== 'string' || typeof data !== 'object' || data === null) return
        bus.deliver({ topic, event, data, audience: audience === 'public' || (typeof audience === 'object' && audience !== null) ? audience : { owner: null }, timestamp })
      })
    },
  }
}
