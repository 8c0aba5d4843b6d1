import fp from 'fastify-plugin'
import { createEventBus, type EventBus } from '../src/events/bus.ts'
import { createEventMethods } from '../src/events/methods.ts'

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus
  }
}

/** Topic subscriptions for watchers of conversations and personas. */
export default fp(async (app) => {
  const events = createEventBus({ log: app.log.child({ component: 'events' }) })
  app.decorate('events', events)
  app.rpc.registry.add(...createEventMethods(events))
}, { name: 'events', dependencies: ['rpc'] })
