import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { JobClaim } from '../../src/events/cluster.ts'
import { createScheduler } from '../../src/system/scheduler.ts'

// The scheduler's side of a cluster's job claims (src/events/cluster.ts): a claimed run renews its claim
// while it goes and releases it when it ends; a tick while the job runs here claims nothing.

const until = async (check: () => boolean, what: string, ms = 5000) => {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

t.test('a claimed run renews its claim while it goes and releases it once it ends, failed or not', async (t) => {
  const events: string[] = []
  const errors: string[] = []
  const claim = async (): Promise<JobClaim> => {
    events.push('claim')
    return { renew: async () => { events.push('renew'); return true }, release: async () => { events.push('release') } }
  }
  const scheduler = createScheduler({ log: { error: (_obj, msg) => { errors.push(msg ?? '') } }, claim, renewMs: 100 })
  t.teardown(async () => { await scheduler.stop(); await scheduler.destroy() })
  let ran = 0
  scheduler.every('failing', '* * * * * *', async () => {
    if (ran++ > 0) return
    events.push('start')
    await sleep(450)
    events.push('end')
    throw new Error('boom')
  })
  await until(() => events.includes('release'), 'the release')
  await scheduler.stop()
  const first = events.slice(0, events.indexOf('release') + 1)
  t.equal(first[0], 'claim', 'claimed first')
  t.equal(first[1], 'start', 'then run')
  t.ok(first.filter((e) => e === 'renew').length >= 3, `renewed while it ran (${first.join(' ')})`)
  t.same(first.slice(-2), ['end', 'release'], 'released after the run ended, though it failed')
  await sleep(250)
  t.equal(events.lastIndexOf('renew') < events.lastIndexOf('release'), true, 'no renewal once released')
  t.same(errors, ['scheduled job failed'], 'the failure logged')
})

t.test('a tick while the job runs here (by hand) claims nothing; the next tick after it does', async (t) => {
  let claims = 0
  const claim = async (): Promise<JobClaim> => {
    claims++
    return { renew: async () => true, release: async () => {} }
  }
  const scheduler = createScheduler({ log: { error () {} }, claim })
  t.teardown(async () => { await scheduler.stop(); await scheduler.destroy() })
  let runs = 0
  scheduler.every('by-hand', '* * * * * *', async () => { if (runs++ === 0) await sleep(2300) })
  await sleep(50)
  const claimsBefore = claims
  await scheduler.run('by-hand')
  t.equal(claims, claimsBefore, 'no claim during the 2.3 s run (two ticks or more)')
  await until(() => claims > claimsBefore, 'a claim after the run', 2000)
  t.pass('claimed again once the run was over')
})

t.test('a tick not claimed, or whose claim failed, does not run', async (t) => {
  const errors: string[] = []
  let calls = 0
  const scheduler = createScheduler({
    log: { error: (_obj, msg) => { errors.push(msg ?? '') } },
    claim: async () => { if (calls++ % 2 === 0) return false; throw new Error('database down') },
  })
  t.teardown(async () => { await scheduler.stop(); await scheduler.destroy() })
  let runs = 0
  scheduler.every('unclaimed', '* * * * * *', async () => { runs++ })
  await until(() => calls >= 2, 'two ticks', 3000)
  await scheduler.stop()
  t.equal(runs, 0, 'never run')
  t.ok(errors.includes('scheduled job not claimed'), 'the failed claim logged')
})
