import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { createEventBus, type Subscriber } from '../../src/events/bus.ts'
import { relayEvents } from '../../src/events/relay.ts'
import { openPostgres } from '../../src/store/postgres/database.ts'
import { openPostgresCluster } from '../../src/store/postgres/cluster.ts'
import { createScheduler } from '../../src/system/scheduler.ts'
import { createRateLimiter } from '../../src/limits/rate-limiter.ts'
import { openNotifyChannel } from '../../src/store/postgres/notify.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

// Several instances on one PostgreSQL, each with its own event bus and scheduler, as the server wires
// them (plugins/events.ts, plugins/scheduler.ts): events cross, audiences hold, ticks run once.

const skip = postgresUnavailable() ?? false
const quiet = { warn () {}, error () {}, info () {} }

t.test('the cluster on PostgreSQL', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = await server.createDatabase()
  const instance = async (heartbeatMs?: number) => {
    const db = await openPostgres({ url, poolSize: 3 })
    const cluster = await openPostgresCluster(db, url, quiet, { heartbeatMs })
    t.teardown(async () => { await cluster.close(); await db.close() })
    const relay = relayEvents(cluster, { log: quiet })
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

  t.test('instances count each other: at once on start, a closed one at once, a silent one after three heartbeats', async (t) => {
    const until = async (check: () => boolean, what: string, ms = 5000) => {
      const deadline = Date.now() + ms
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${[a, b, c].map((i) => i.cluster.instances())}`)
        await sleep(20)
      }
    }
    // the default heartbeat is 5 s: counting within one means a newcomer is answered, not left to wait
    await until(() => [a, b, c].every((i) => i.cluster.instances() === 3), 'three instances counted on each', 2000)
    const limiter = createRateLimiter({ perConnection: { perSecond: 50, burst: 100 }, perKey: { perSecond: 30, burst: 10 }, instances: () => a.cluster.instances() })
    t.same(limiter.perKey, { perSecond: 10, burst: 3 }, 'a limiter on A takes a third of the per-key rule')

    const d = await instance(200)
    await until(() => d.cluster.instances() === 4 && a.cluster.instances() === 4, 'a fourth instance counted')
    t.same(limiter.perKey, { perSecond: 7.5, burst: 2 }, 'and a quarter once there are four')
    await d.cluster.close()
    await until(() => a.cluster.instances() === 3, 'the closed instance forgotten', 1000)
    t.pass('a closed instance is forgotten at once (it says it is leaving)')

    // a peer announcing every 200 ms that falls silent after one (killed): the others forget it after three
    // of its heartbeats, while A, B and C (every 5 s) still count
    const ghost = await openNotifyChannel({ url, pool: a.db.pool, channel: 'persona_mcp_cluster' })
    t.teardown(() => ghost.close())
    await ghost.publish({ kind: 'instance', id: 'ghost', everyMs: 200 })
    const heard = Date.now()
    await until(() => a.cluster.instances() === 4, 'A counting the ghost')
    await until(() => a.cluster.instances() === 3, 'A forgetting the ghost')
    const silent = Date.now() - heard
    t.ok(silent >= 550 && silent < 1200, `forgotten after ${silent} ms of silence (three 200 ms heartbeats)`)
    t.same([a, b, c].map((i) => i.cluster.instances()), [3, 3, 3], 'the others still counted')
  })
})
