import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { createEventBus, type Subscriber } from '../../src/events/bus.ts'
import { relayEvents } from '../../src/events/relay.ts'
import { openPostgres } from '../../src/store/postgres/database.ts'
import { openPostgresCluster } from '../../src/store/postgres/cluster.ts'
import { createScheduler } from '../../src/system/scheduler.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

// Several instances on one PostgreSQL, each with its own event bus and scheduler, as the server wires
// them (plugins/events.ts, plugins/scheduler.ts): events cross, audiences hold, ticks run once.

const skip = postgresUnavailable() ?? false
const quiet = { warn () {}, error () {}, info () {} }

t.test('the cluster on PostgreSQL', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = await server.createDatabase()
  const instance = async () => {
    const db = await openPostgres({ url, poolSize: 3 })
    const cluster = await openPostgresCluster(db, url, quiet)
    t.teardown(async () => { await cluster.close(); await db.close() })
    const relay = relayEvents(cluster)
    const bus = createEventBus({ log: quiet, relay: relay.send })
    relay.deliverTo(bus)
    return { db, cluster, bus }
  }
  const [a, b, c] = [await instance(), await instance(), await instance()]

  t.test('an event published on A reaches subscribers on B and C, within its audience', async (t) => {
    const inbox = (id: string, user: { id: string, scope: 'client' | 'admin' }) => {
      const got: Array<{ topic: string, data: unknown }> = []
      const subscriber: Subscriber = { id, user, send: (text: string) => { got.push(JSON.parse(text).params); return true } } as Subscriber
      return { subscriber, got }
    }
    const alice = inbox('alice-on-b', { id: 'alice', scope: 'client' })
    const bob = inbox('bob-on-c', { id: 'bob', scope: 'client' })
    const admin = inbox('admin-on-c', { id: 'ops', scope: 'admin' })
    b.bus.subscribe(alice.subscriber, ['conversation.*'])
    c.bus.subscribe(bob.subscriber, ['*'])
    c.bus.subscribe(admin.subscriber, ['*'])
    a.bus.publish('conversation.c1', 'turn', { text: 'hello from A' }, { owner: 'alice' })
    a.bus.publish('persona.aria', 'state_changed', { energy: 90 }, 'public')
    const deadline = Date.now() + 5000
    while ((alice.got.length < 1 || admin.got.length < 2 || bob.got.length < 1) && Date.now() < deadline) await sleep(20)
    await sleep(200)
    t.same(alice.got.map((e) => e.topic), ['conversation.c1'], 'the owner on B sees her conversation')
    t.same(bob.got.map((e) => e.topic), ['persona.aria'], 'another user on C sees only the public event')
    t.same(admin.got.map((e) => e.topic).sort(), ['conversation.c1', 'persona.aria'], 'an admin on C sees both')
  })

  t.test('a job ticking every second on three instances runs once per period, not once per instance', async (t) => {
    let runs = 0
    const schedulers = [a, b, c].map(({ cluster }) => createScheduler({ log: quiet, claim: cluster.claim }))
    t.teardown(async () => { for (const s of schedulers) { await s.stop(); await s.destroy() } })
    for (const s of schedulers) s.every('test-job', '* * * * * *', async () => { runs++ })
    await sleep(3200)
    // three instances, three ticks each: nine runs unclaimed; claimed, one per minute (two if the ticks
    // straddle the half minute where the period rounds over)
    t.ok(runs >= 1 && runs <= 2, `${runs} run(s)`)
  })
})
