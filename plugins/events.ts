import fp from 'fastify-plugin'
import { createEventBus, type EventBus } from '../src/events/bus.ts'
import { relayEvents, type RelayStats } from '../src/events/relay.ts'
import { createEventMethods } from '../src/events/methods.ts'

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus
    /** the relay's backlog and drops, for /metrics */
    eventRelay: RelayStats
  }
}

/** Topic subscriptions for watchers of conversations and personas, on every instance of the cluster. */
export default fp(async (app) => {
  const log = app.log.child({ component: 'events' })
  const relay = relayEvents(app.cluster, { log })
  const events = createEventBus({ log, relay: relay.send })
  relay.deliverTo(events)
  app.decorate('events', events)
  app.decorate('eventRelay', relay.stats)
  // closes before the cluster does (plugins close in reverse order): nothing is sent on a closed channel
  app.addHook('onClose', async () => { relay.close() })
  app.rpc.registry.add(...createEventMethods(events))
}, { name: 'events', dependencies: ['rpc', 'db'] })
