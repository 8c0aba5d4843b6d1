import { Type } from '@sinclair/typebox'
import { defineMethod } from '../rpc/method.ts'
import type { EventBus } from './bus.ts'

const Topic = Type.String({
  pattern: '^(\\*|[a-z_]+(\\.[A-Za-z0-9_-]+)*(\\.\\*)?)$',
  maxLength: 128,
  description: '`conversation.<id>`, `persona.<id>`, or a prefix ending in `*` (`conversation.*`, `*`)',
})

export function createEventMethods (bus: EventBus) {
  return [
    defineMethod({
      name: 'events.subscribe',
      description: 'Watch topics: persona-to-persona conversation turns (`conversation.<id>`) and persona state and mood ' +
        'changes (`persona.<id>`), delivered as `events.event` notifications. Only events you may see reach you (your own ' +
        'conversations and visual updates, every persona\'s state; admin keys: everything). Slow clients lose their subscriptions.',
      params: Type.Object({ topics: Type.Array(Topic, { minItems: 1, maxItems: 50 }) }),
      result: Type.Object({ subscribed: Type.Array(Type.String()) }),
      handler: ({ topics }, { connection }) => {
        const subscribed = bus.subscribe({ id: connection.id, user: connection.user, send: (text) => connection.sendText(text) }, topics)
        connection.signal.addEventListener('abort', () => bus.unsubscribe(connection.id), { once: true })
        return { subscribed }
      },
    }),
    defineMethod({
      name: 'events.unsubscribe',
      description: 'Stop watching some topics, or all of them when none are given.',
      params: Type.Object({ topics: Type.Optional(Type.Array(Topic, { maxItems: 50 })) }),
      result: Type.Object({ subscribed: Type.Array(Type.String()) }),
      handler: ({ topics }, { connection }) => ({ subscribed: bus.unsubscribe(connection.id, topics) }),
    }),
    defineMethod({
      name: 'visual.update',
      description: 'Tell your own watchers of the `visual` topic (your user\'s connections, and admins) about a change in a visual ' +
        'front end; the data is passed through, with the sender (`from_user`, `connection`) added.',
      params: Type.Object({ type: Type.String({ minLength: 1, maxLength: 64, default: 'general' }), data: Type.Optional(Type.Unknown()) }),
      result: Type.Object({ visual_updated: Type.Literal(true), update_type: Type.String(), timestamp: Type.String({ format: 'date-time' }), delivered: Type.Integer() }),
      handler: ({ type, data }, { connection }) => {
        const delivered = bus.publish('visual', type, { update_type: type, data: data ?? null, from_user: connection.user.id, connection: connection.id }, { owner: connection.user.id })
        return { visual_updated: true as const, update_type: type, timestamp: new Date().toISOString(), delivered }
      },
    }),
  ]
}
