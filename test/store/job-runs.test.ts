import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { openPostgres } from '../../src/store/postgres/database.ts'
import { openPostgresCluster } from '../../src/store/postgres/cluster.ts'
import { createScheduler } from '../../src/system/scheduler.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'

// Two instances on one PostgreSQL, each with its scheduler, as the server wires them (plugins/scheduler.ts),
// running a job that takes longer than its period: a tick while one instance runs it is skipped by both,
// so the job never runs twice at once across the cluster.

const skip = postgresUnavailable() ?? false
const quiet = { warn () {}, error () {}, info () {} }

t.test('a job longer than its period runs one at a time across instances', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = await server.createDatabase()
  // periods of a second, ticks every second, a 1.5 s lease renewed every 300 ms, and a 2.5 s job: it
  // outlasts two periods and its lease, so only the held (renewed) claim keeps the other instance out
  const instance = async () => {
    const db = await openPostgres({ url, poolSize: 3 })
    const cluster = await openPostgresCluster(db, url, quiet, { jobPeriodMs: 1000, jobLeaseMs: 1500 })
    t.teardown(async () => { await cluster.close(); await db.close() })
    return createScheduler({ log: quiet, claim: cluster.claim, renewMs: 300 })
  }
  const schedulers = [await instance(), await instance()]
  let active = 0
  let most = 0
  const runs: number[] = []
  schedulers.forEach((scheduler, i) => {
    scheduler.every('slow-job', '*/1 * * * * *', async () => {
      most = Math.max(most, ++active)
      runs.push(i)
      try { await sleep(2500) } finally { active-- }
    })
  })
  await sleep(7500)
  for (const s of schedulers) await s.stop()
  const deadline = Date.now() + 5000
  while (active > 0 && Date.now() < deadline) await sleep(50)
  for (const s of schedulers) await s.destroy()

  t.equal(most, 1, `never more than one run at once (at most ${most}; runs on instances ${runs.join(', ')})`)
  t.ok(runs.length >= 2, `${runs.length} runs in 7.5 s: a period is claimed again as soon as the run before it is released`)
})
