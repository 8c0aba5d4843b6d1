import t from 'tap'
import { createEventBus } from '../../src/events/bus.ts'

const quietLog = { warned: [] as object[], warn (obj: object) { this.warned.push(obj) } }
const admin = { id: 'ops', scope: 'admin' as const }
const alice = { id: 'alice', scope: 'client' as const }
const bob = { id: 'bob', scope: 'client' as const }

t.test('events reach the subscribers of matching topics, serialised once', async (t) => {
  const bus = createEventBus({ log: quietLog })
  const received = new Map<string, string[]>()
  const subscriber = (id: string) => ({ id, user: admin, send: (text: string) => { received.set(id, [...(received.get(id) ?? []), text]); return true } })
  bus.subscribe(subscriber('exact'), ['conversation.c1'])
  bus.subscribe(subscriber('prefix'), ['conversation.*'])
  bus.subscribe(subscriber('all'), ['*'])
  bus.subscribe(subscriber('other'), ['persona.p1'])

  t.equal(bus.publish('conversation.c1', 'turn', { n: 1 }, 'public'), 3)
  const texts = ['exact', 'prefix', 'all'].map((id) => received.get(id)?.[0])
  t.ok(texts.every((text) => text === texts[0]), 'one string for everyone')
  t.match(JSON.parse(texts[0] ?? '{}'), { jsonrpc: '2.0', method: 'events.event', params: { topic: 'conversation.c1', event: 'turn', data: { n: 1 } } })
  t.notOk(received.has('other'), 'other topics stay quiet')
  t.notOk('id' in JSON.parse(texts[0] ?? '{}'), 'a notification, not a response')

  t.same(bus.unsubscribe('prefix', ['conversation.*']), [])
  t.equal(bus.publish('conversation.c2', 'turn', {}, 'public'), 1, 'only the wildcard subscriber is left for c2')
  t.equal(bus.publish('nobody.listens', 'x', {}, 'public'), 1)
  t.same(bus.unsubscribe('nope'), [])
})

t.test('a subscriber that cannot keep up is dropped, not buffered', async (t) => {
  const bus = createEventBus({ log: quietLog })
  let accepted = 0
  bus.subscribe({ id: 'slow', user: alice, send: () => accepted++ < 2 }, ['persona.*'])
  bus.subscribe({ id: 'fast', user: bob, send: () => true }, ['persona.*'])
  for (let i = 0; i < 5; i++) bus.publish('persona.p1', 'state_changed', { i }, 'public')
  t.equal(bus.size, 1, 'the slow one is gone')
  t.equal(accepted, 3, 'it was offered events until it refused one')
  t.ok(quietLog.warned.length > 0, 'and the drop was logged')
  t.equal(bus.publish('persona.p1', 'state_changed', {}, 'public'), 1)
})

t.test('an event reaches only its audience, whatever pattern a subscriber asked for', async (t) => {
  const bus = createEventBus({ log: quietLog })
  const got = new Map<string, string[]>()
  const subscriber = (id: string, user: typeof admin | typeof alice) =>
    ({ id, user, send: (text: string) => { got.set(id, [...(got.get(id) ?? []), JSON.parse(text).params.event]); return true } })
  bus.subscribe(subscriber('alice', alice), ['*'])
  bus.subscribe(subscriber('bob-all', bob), ['*'])
  bus.subscribe(subscriber('bob-exact', bob), ['conversation.c1', 'conversation.*'])
  bus.subscribe(subscriber('ops', admin), ['conversation.*'])

  t.equal(bus.publish('conversation.c1', 'turn', {}, { owner: 'alice' }), 2, 'alice and the admin')
  t.equal(bus.publish('conversation.c0', 'legacy', {}, { owner: null }), 1, 'no known owner: admins only')
  t.equal(bus.publish('persona.p1', 'state_changed', {}, 'public'), 2, 'public: every client subscribed to it')
  t.same(got.get('alice'), ['turn', 'state_changed'])
  t.same(got.get('bob-all'), ['state_changed'])
  t.notOk(got.has('bob-exact'), 'naming the topic exactly does not help')
  t.same(got.get('ops'), ['turn', 'legacy'])
})
