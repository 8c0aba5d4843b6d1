import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { JobClaim } from '../../src/events/cluster.ts'
import { openPostgres, type PostgresDatabase } from '../../src/store/postgres/database.ts'
import { claimJobPeriod, periodOf } from '../../src/store/postgres/job-claims.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

const skip = postgresUnavailable() ?? false

t.test('claims of a job on PostgreSQL', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = await server.createDatabase()
  const instances = await Promise.all(Array.from({ length: 5 }, async () => await openPostgres({ url, poolSize: 4 })))
  t.teardown(async () => { await Promise.all(instances.map(async (db) => await db.close())) })
  const [a, b, c] = instances as [PostgresDatabase, PostgresDatabase, PostgresDatabase]
  const held = (claim: JobClaim | false): JobClaim => {
    if (claim === false) throw new Error('expected the claim to be won')
    return claim
  }
  const stored = async (job: string) => (await a.pool.query('SELECT value FROM "Setting" WHERE key = $1', [`job:${job}`])).rows[0]?.value

  t.test('a period of a job is claimed by exactly one of many racing instances', async (t) => {
    for (const period of ['2026-12-02T01:00:00.000Z', '2026-12-02T01:05:00.000Z']) {
      // every instance fires 20 times for the same tick: one claim in 100 wins
      const claims = await Promise.all(instances.flatMap((db) => Array.from({ length: 20 }, async () => await claimJobPeriod(db.pool, 'memory-decay', period))))
      const won = claims.filter((claim) => claim !== false)
      t.equal(won.length, 1, `one run of ${period}`)
      await won[0]?.release()
    }
    const regeneration = held(await claimJobPeriod(a.pool, 'persona-regeneration', '2026-12-02T01:05:00.000Z'))
    t.pass('jobs claim independently: another job\'s claim is won while this one is held')
    await regeneration.release()
    const again = await claimJobPeriod(b.pool, 'memory-decay', '2026-12-02T01:00:00.000Z')
    t.not(again, false, 'an older period again (a clock set back) is a new claim')
    if (again) await again.release()
    t.equal(await claimJobPeriod(c.pool, 'memory-decay', '2026-12-02T01:00:00.000Z'), false, 'but the period just run is not claimed twice')
  })

  t.test('a run holds the job: the next period is not claimed by another instance until it is released', async (t) => {
    const run = held(await claimJobPeriod(a.pool, 'hold', '2026-12-02T02:00:00.000Z'))
    t.match(await stored('hold'), { period: '2026-12-02T02:00:00.000Z', until: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/ }, 'the row names the period and the lease\'s end')
    t.equal(await claimJobPeriod(b.pool, 'hold', '2026-12-02T02:01:00.000Z'), false, 'the next period, on B, while A runs: refused')
    const racing = await Promise.all(instances.flatMap((db) => Array.from({ length: 10 }, async () => await claimJobPeriod(db.pool, 'hold', '2026-12-02T02:02:00.000Z'))))
    t.equal(racing.filter(Boolean).length, 0, 'and by every instance racing for the one after')
    await run.release()
    t.match(await stored('hold'), { period: '2026-12-02T02:00:00.000Z', done: true }, 'released: the row says the run is done')
    const next = held(await claimJobPeriod(b.pool, 'hold', '2026-12-02T02:03:00.000Z'))
    t.pass('after the release, the next period is claimed')
    await run.release()
    t.equal(await claimJobPeriod(c.pool, 'hold', '2026-12-02T02:04:00.000Z'), false, 'a late release of the old claim does not end the new one')
    t.equal(await run.renew(), false, 'nor does renewing it take the job back')
    await next.release()
  })

  t.test('a lease that runs out (its instance crashed) lets the next period be claimed', async (t) => {
    held(await claimJobPeriod(a.pool, 'crash', '2026-12-02T03:00:00.000Z', { leaseMs: 300 }))
    t.equal(await claimJobPeriod(b.pool, 'crash', '2026-12-02T03:01:00.000Z'), false, 'within the lease: refused')
    await sleep(400)
    const racing = await Promise.all(instances.flatMap((db) => Array.from({ length: 10 }, async () => await claimJobPeriod(db.pool, 'crash', '2026-12-02T03:02:00.000Z'))))
    t.equal(racing.filter(Boolean).length, 1, 'past it: exactly one of the racing instances takes the job over')
    t.equal(await claimJobPeriod(c.pool, 'crash', '2026-12-02T03:03:00.000Z'), false, 'and holds it in turn')
  })

  t.test('renewing pushes the lease on', async (t) => {
    const run = held(await claimJobPeriod(a.pool, 'renew', '2026-12-02T04:00:00.000Z', { leaseMs: 1000 }))
    await sleep(400)
    t.equal(await run.renew(), true, 'renewed, 400 ms in: held until 1400 ms')
    await sleep(700)
    t.equal(await claimJobPeriod(b.pool, 'renew', '2026-12-02T04:01:00.000Z'), false, 'at 1100 ms, past the first lease\'s end, the renewed one still holds')
    await sleep(600)
    t.not(await claimJobPeriod(b.pool, 'renew', '2026-12-02T04:02:00.000Z'), false, 'at 1700 ms, past the renewed lease\'s end, the job is taken over')
    t.equal(await run.renew(), false, 'and the lapsed claim, renewed late, is told it lost the job')
  })

  t.test('a row written before leases (the bare period) reads as a finished run', async (t) => {
    await a.pool.query('INSERT INTO "Setting" (key, value, "updatedAt") VALUES ($1, $2::jsonb, now())', ['job:old', JSON.stringify('2026-12-02T05:00:00.000Z')])
    t.equal(await claimJobPeriod(b.pool, 'old', '2026-12-02T05:00:00.000Z'), false, 'the period it names is not run again')
    const run = held(await claimJobPeriod(b.pool, 'old', '2026-12-02T05:01:00.000Z'))
    t.match(await stored('old'), { period: '2026-12-02T05:01:00.000Z' }, 'the next one is claimed, in the new form')
    t.equal(await claimJobPeriod(c.pool, 'old', '2026-12-02T05:02:00.000Z'), false, 'and held')
    await run.release()
  })
})

t.test('instances a few seconds apart agree on the period of a tick', async (t) => {
  t.equal(periodOf(new Date('2026-12-02T01:04:58.100Z')), '2026-12-02T01:05:00.000Z')
  t.equal(periodOf(new Date('2026-12-02T01:05:03.900Z')), '2026-12-02T01:05:00.000Z')
  t.not(periodOf(new Date('2026-12-02T01:05:03Z')), periodOf(new Date('2026-12-02T01:06:03Z')))
  t.equal(periodOf(new Date('2026-12-02T01:05:03.040Z'), 1000), '2026-12-02T01:05:03.000Z', 'or of a shorter period')
})
