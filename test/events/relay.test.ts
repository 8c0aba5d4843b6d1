import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { createEventBus, type Subscriber } from '../../src/events/bus.ts'
import type { ClusterMessage } from '../../src/events/cluster.ts'
import { relayEvents } from '../../src/events/relay.ts'
import { openPostgres } from '../../src/store/postgres/database.ts'
import { openPostgresCluster } from '../../src/store/postgres/cluster.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

// The event relay between two instances on one PostgreSQL: a tick's events go as one message, the backlog
// is bounded (the oldest dropped, counted, warned of once), and the single-event format of earlier
// versions is still delivered (a rolling upgrade).

const skip = postgresUnavailable() ?? false

t.test('the event relay on PostgreSQL', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = await server.createDatabase()
  const instance = async (poolSize = 3) => {
    const warnings: string[] = []
    const log = { warn (_obj: object, msg?: string) { warnings.push(msg ?? '') } }
    const db = await openPostgres({ url, poolSize })
    const cluster = await openPostgresCluster(db, url, log)
    const relay = relayEvents(cluster, { log })
    t.teardown(async () => { relay.close(); await cluster.close(); await db.close() })
    const bus = createEventBus({ log, relay: relay.send })
    relay.deliverTo(bus)
    const messages: ClusterMessage[] = []
    cluster.subscribe((message) => { if (message.kind !== 'instance') messages.push(message) })
    const got: Array<{ topic: string, timestamp?: string, data: { n: number } }> = []
    bus.subscribe({ id: 'watcher', user: { id: 'ops', scope: 'admin' }, send: (text: string) => { got.push(JSON.parse(text).params); return true } } as Subscriber, ['*'])
    return { db, cluster, relay, bus, messages, got, warnings }
  }
  const a = await instance()
  const b = await instance()
  const until = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await sleep(20)
    }
  }

  t.test('the events of one tick go as one message', async (t) => {
    b.messages.length = 0
    b.got.length = 0
    for (let n = 0; n < 3; n++) a.bus.publish(`persona.p${n}`, 'state_changed', { n }, 'public')
    await until(() => b.got.length === 3, 'three events on B')
    await sleep(100)
    t.same(b.got.map((e) => e.data.n), [0, 1, 2], 'all three, in order')
    t.equal(b.messages.length, 1, 'in one cluster message')
    t.equal(b.messages[0]?.kind, 'events')
  })

  t.test('a burst beyond the backlog drops the oldest, counts them and warns once', async (t) => {
    b.messages.length = 0
    b.got.length = 0
    const before = a.relay.stats.dropped
    for (let n = 0; n < 5000; n++) a.bus.publish('conversation.c1', 'turn', { n }, 'public')
    t.equal(a.relay.stats.queued, 1000, 'at most 1000 events wait')
    t.equal(a.relay.stats.dropped - before, 4000, 'the 4000 oldest were dropped')
    t.equal(a.warnings.filter((w) => /backlog full/.test(w)).length, 1, 'one warning for 4000 drops')
    await until(() => b.got.length === 1000, 'the 1000 newest on B')
    await sleep(200)
    t.equal(b.got.length, 1000, 'nothing more arrives')
    t.same(b.got.map((e) => e.data.n), Array.from({ length: 1000 }, (_, i) => 4000 + i), 'the newest 1000, in order')
    t.equal(b.messages.length, 4, 'in four messages of 250 events, not 1000 NOTIFYs')
    t.equal(a.relay.stats.queued, 0, 'the backlog is empty again')
  })

  t.test('a stalled database holds one message in flight and 1000 events, not a query per event', async (t) => {
    const c = await instance(1)
    b.got.length = 0
    // the pool's only connection is busy: every send waits
    const held = await c.db.pool.connect()
    for (let n = 0; n < 300; n++) c.bus.publish('persona.p', 'state_changed', { n }, 'public')
    for (let tick = 1; tick <= 10; tick++) {
      await new Promise((resolve) => setImmediate(resolve))
      for (let n = tick * 300; n < (tick + 1) * 300; n++) c.bus.publish('persona.p', 'state_changed', { n }, 'public')
    }
    await sleep(50)
    t.equal(c.relay.stats.queued, 1000, '1000 events wait')
    t.equal(c.relay.stats.dropped, 3300 - 250 - 1000, 'the rest, oldest first, were dropped (250 are in the message in flight)')
    // C's own announcements (on start, and in reply to A and B) wait too: a few, whatever the events
    t.ok(c.db.pool.waitingCount <= 5, `${c.db.pool.waitingCount} queries wait for the pool (the message in flight and announcements), not 3300`)
    held.release()
    await until(() => b.got.length === 1250, 'the message in flight and the 1000 newest on B')
    const ns = b.got.map((e) => e.data.n)
    t.same(ns.slice(0, 250), Array.from({ length: 250 }, (_, i) => i), 'the first message as it was')
    t.same(ns.slice(250), Array.from({ length: 1000 }, (_, i) => 2300 + i), 'then the newest 1000, in order')
  })

  t.test('an event in the format of earlier versions is delivered', async (t) => {
    b.got.length = 0
    await a.cluster.publish({ kind: 'event', topic: 'persona.old', event: 'state_changed', data: { n: 7 }, audience: 'public', timestamp: new Date().toISOString() })
    await until(() => b.got.length === 1, 'the old-format event on B')
    t.same(b.got[0], { topic: 'persona.old', event: 'state_changed', timestamp: b.got[0]?.timestamp, data: { n: 7 } })
  })
})
