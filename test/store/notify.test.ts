import t from 'tap'
import pg from 'pg'
import { openNotifyChannel, type NotifyChannel } from '../../src/store/postgres/notify.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

// LISTEN/NOTIFY between instances on a real PostgreSQL: what one publishes the others receive, whole.

const skip = postgresUnavailable() ?? false

/** resolves with the next `count` messages a channel receives */
function next (channel: NotifyChannel, count = 1): Promise<unknown[]> {
  return new Promise((resolve) => {
    const got: unknown[] = []
    const off = channel.subscribe((m) => { got.push(m); if (got.length === count) { off(); resolve(got) } })
  })
}

t.test('notify channel', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = await server.createDatabase()
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  t.teardown(() => pool.end())
  /** reconnects each channel (a, b, c) reported */
  const reconnects: number[] = []
  const open = async () => {
    const channel = await openNotifyChannel({ url, pool, channel: 'persona_events' })
    t.teardown(() => channel.close())
    const i = reconnects.push(0) - 1
    channel.onReconnect(() => { reconnects[i]++ })
    return channel
  }
  const [a, b, c] = [await open(), await open(), await open()]

  t.test('a message reaches every other instance, not its publisher', async (t) => {
    const seenByA: unknown[] = []
    const offA = a.subscribe((m) => seenByA.push(m))
    const atB = next(b)
    const atC = next(c)
    await a.publish({ topic: 'persona.aria', event: 'state_changed' })
    t.same(await atB, [{ topic: 'persona.aria', event: 'state_changed' }])
    t.same(await atC, [{ topic: 'persona.aria', event: 'state_changed' }])
    // a round trip through the database from A to B and back: anything A got from itself would be here by now
    const echo = next(a)
    await b.publish({ ping: true })
    await echo
    offA()
    t.same(seenByA, [{ ping: true }], 'A saw only what B sent')
  })

  t.test('a message far over the 8000-byte payload limit arrives whole, and so does the one after it', async (t) => {
    const long = { text: 'Ärger über 💬 "quotes" \\ and \u0001 control '.repeat(3000) }
    t.ok(Buffer.byteLength(JSON.stringify(long)) > 100_000)
    const atB = next(b, 2)
    await a.publish(long)
    await a.publish({ after: true })
    const got = await atB
    t.same(got.find((m) => (m as { text?: string }).text !== undefined), long)
    t.ok(got.some((m) => (m as { after?: boolean }).after === true))
  })

  t.test('a channel hears itself: its own message comes back through its listener; with the listener gone it does not', async (t) => {
    await new Promise((resolve) => setTimeout(resolve, 300))
    t.equal(a.hearing(200), false, 'nothing of its own came back in the last 200 ms')
    await a.publish({ echo: true })
    const deadline = Date.now() + 5000
    while (!a.hearing(200) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    t.equal(a.hearing(200), true, 'its message came back: it hears')
    await pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()")
    const lost = Date.now() + 2000
    while (a.hearing(60_000) && Date.now() < lost) await new Promise((resolve) => setTimeout(resolve, 5))
    t.equal(a.hearing(60_000), false, 'its listener lost: it does not hear, however recent its last echo')
    const back = Date.now() + 10_000
    while (!a.hearing(60_000) && Date.now() < back) await new Promise((resolve) => setTimeout(resolve, 20))
    t.equal(a.hearing(60_000), true, 'listening again')
    // the kill above is a reconnect for each: the next test counts from here
    await new Promise((resolve) => setTimeout(resolve, 1500))
    reconnects.fill(0)
  })

  t.test('a listener whose connection is killed reconnects, says so once, and receives again', async (t) => {
    t.same(reconnects, [0, 0, 0], 'the first connection is no reconnect')
    for (const round of [1, 2]) {
      await pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()")
      const deadline = Date.now() + 10_000
      for (;;) {
        const atB = next(b)
        await a.publish({ after: 'reconnect', round })
        const got = await Promise.race([atB, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 300))])
        if (got !== undefined) { t.same(got, [{ after: 'reconnect', round }]); break }
        if (Date.now() > deadline) { t.fail('no delivery after the listener was killed'); break }
      }
      // past another reconnect delay: a second call for the same loss would have come by now
      await new Promise((resolve) => setTimeout(resolve, 1500))
      t.same(reconnects, [round, round, round], `after kill ${round}: each channel told its handlers ${round} time(s) in all`)
    }
  })
})
