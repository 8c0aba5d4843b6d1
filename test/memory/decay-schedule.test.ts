import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { build } from '../helper.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

// Two server instances on one PostgreSQL: the scheduled decay is due on both, but once A has run it, B (whose
// turn the next tick is) sees A's run in the database and does not decay the same memories again.

const skip = postgresUnavailable() ?? false

t.test('scheduled decay runs once per interval across instances', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const databaseUrl = await server.createDatabase()
  // an interval of one second, so it is due on both soon after they start
  const overrides = { server: { databaseUrl }, memory: { decay: { enabled: true, intervalHours: 1 / 3600 } } }
  const a = await build(t, overrides)
  const b = await build(t, overrides)
  const runs = () => a.store.storedCounts.decayRuns()
  await sleep(1100)

  await a.scheduler.run('memory-decay')
  t.equal(await runs(), 1, 'A decays: it was due')
  await b.scheduler.run('memory-decay')
  t.equal(await runs(), 1, 'B, right after, does not: A just did')

  await sleep(1100)
  await b.scheduler.run('memory-decay')
  t.equal(await runs(), 2, 'once the interval has passed again, B decays')
  await a.scheduler.run('memory-decay')
  t.equal(await runs(), 2, 'and then A does not')
})
