import fp from 'fastify-plugin'
import { createEventBus, type EventBus } from '../src/events/bus.ts'
import { relayEvents } from '../src/events/relay.ts'
import { createEventMethods } from '../src/events/methods.ts'

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus
  }
}

/** Topic subscriptions for watchers of conversations and personas, on every instance of the cluster. */
export default fp(async (app) => {
  const relay = relayEvents(app.cluster)
  const events = createEventBus({ log: app.log.child({ component: 'events' }), relay: relay.send })
  relay.deliverTo(events)
  app.decorate('events', events)
  app.rpc.registry.add(...createEventMethods(events))
}, { name: 'events', dependencies: ['rpc', 'db'] })
