import t from 'tap'
import { openPostgres } from '../../src/store/postgres/database.ts'
import { claimJobPeriod, periodOf } from '../../src/store/postgres/job-claims.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

const skip = postgresUnavailable() ?? false

t.test('a period of a job is claimed by exactly one of many racing instances', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = await server.createDatabase()
  const instances = await Promise.all(Array.from({ length: 5 }, async () => await openPostgres({ url, poolSize: 4 })))
  t.teardown(async () => { await Promise.all(instances.map(async (db) => await db.close())) })

  for (const period of ['2026-12-02T01:00:00.000Z', '2026-12-02T01:05:00.000Z']) {
    // every instance fires 20 times for the same tick: one claim in 100 wins
    const claims = await Promise.all(instances.flatMap((db) => Array.from({ length: 20 }, async () => await claimJobPeriod(db.pool, 'memory-decay', period))))
    t.equal(claims.filter(Boolean).length, 1, `one run of ${period}`)
  }
  t.equal(await claimJobPeriod(instances[0]!.pool, 'persona-regeneration', '2026-12-02T01:05:00.000Z'), true, 'jobs claim independently')
  t.equal(await claimJobPeriod(instances[1]!.pool, 'memory-decay', '2026-12-02T01:00:00.000Z'), true, 'an older period again (a clock set back) is a new claim')
})

t.test('instances a few seconds apart agree on the period of a tick', async (t) => {
  t.equal(periodOf(new Date('2026-12-02T01:04:58.100Z')), '2026-12-02T01:05:00.000Z')
  t.equal(periodOf(new Date('2026-12-02T01:05:03.900Z')), '2026-12-02T01:05:00.000Z')
  t.not(periodOf(new Date('2026-12-02T01:05:03Z')), periodOf(new Date('2026-12-02T01:06:03Z')))
})
