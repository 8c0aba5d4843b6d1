import t from 'tap'
import { createEventBus } from '../../src/events/bus.ts'

const quietLog = { warned: [] as object[], warn (obj: object) { this.warned.push(obj) } }

t.test('events reach the subscribers of matching topics, serialised once', async (t) => {
  const bus = createEventBus({ log: quietLog })
  const received = new Map<string, string[]>()
  const subscriber = (id: string) => ({ id, send: (text: string) => { received.set(id, [...(received.get(id) ?? []), text]); return true } })
  bus.subscribe(subscriber('exact'), ['conversation.c1'])
  bus.subscribe(subscriber('prefix'), ['conversation.*'])
  bus.subscribe(subscriber('all'), ['*'])
  bus.subscribe(subscriber('other'), ['persona.p1'])

  t.equal(bus.publish('conversation.c1', 'turn', { n: 1 }), 3)
  const texts = ['exact', 'prefix', 'all'].map((id) => received.get(id)?.[0])
  t.ok(texts.every((text) => text === texts[0]), 'one string for everyone')
  t.match(JSON.parse(texts[0] ?? '{}'), { jsonrpc: '2.0', method: 'events.event', params: { topic: 'conversation.c1', event: 'turn', data: { n: 1 } } })
  t.notOk(received.has('other'), 'other topics stay quiet')
  t.notOk('id' in JSON.parse(texts[0] ?? '{}'), 'a notification, not a response')

  t.same(bus.unsubscribe('prefix', ['conversation.*']), [])
  t.equal(bus.publish('conversation.c2', 'turn', {}), 1, 'only the wildcard subscriber is left for c2')
  t.equal(bus.publish('nobody.listens', 'x', {}), 1)
  t.same(bus.unsubscribe('nope'), [])
})

t.test('a subscriber that cannot keep up is dropped, not buffered', async (t) => {
  const bus = createEventBus({ log: quietLog })
  let accepted = 0
  bus.subscribe({ id: 'slow', send: () => accepted++ < 2 }, ['persona.*'])
  bus.subscribe({ id: 'fast', send: () => true }, ['persona.*'])
  for (let i = 0; i < 5; i++) bus.publish('persona.p1', 'state_changed', { i })
  t.equal(bus.size, 1, 'the slow one is gone')
  t.equal(accepted, 3, 'it was offered events until it refused one')
  t.ok(quietLog.warned.length > 0, 'and the drop was logged')
  t.equal(bus.publish('persona.p1', 'state_changed', {}), 1)
})
