import cron, { type ScheduledTask } from 'node-cron'
import type { JobClaim } from '../events/cluster.ts'

export interface Scheduler {
  /** Runs `task` on a cron schedule; a run still going when the next is due is skipped, failures are logged. */
  every (name: string, expression: string, task: () => Promise<void>): void
  /** Runs a job now, as the schedule would (tests, admin "run now"). */
  run (name: string): Promise<void>
  /** Stops the clocks; a run already going is left to finish. */
  stop (): Promise<void>
  /** Lets go of every job (after stop, once nothing runs any more). */
  destroy (): Promise<void>
}

export interface SchedulerOptions {
  log: { error (obj: object, msg?: string): void, warn? (obj: object, msg?: string): void }
  /**
   * Whether this instance runs a tick (several instances on one database: exactly one of them does, and
   * not while another still runs the job, see src/events/cluster.ts): the claim, held while the run goes
   * and released when it ends, or false. A job run by hand (`run`) is not claimed: it runs where it was
   * asked. A tick while this instance runs the job is skipped without claiming.
   */
  claim?: (job: string, at: Date) => Promise<JobClaim | false>
  /** how often a running job's claim is renewed (default every minute: well inside the cluster's lease) */
  renewMs?: number
}

/** Named cron jobs that never overlap themselves, and run once per tick, one run at a time, across the cluster. */
export function createScheduler ({ log, claim, renewMs = 60_000 }: SchedulerOptions): Scheduler {
  const tasks = new Map<string, { job: ScheduledTask, run: () => Promise<void> }>()

  return {
    every (name, expression, task) {
      if (!cron.validate(expression)) throw new Error(`invalid cron expression for ${name}: "${expression}"`)
      let running: Promise<void> | undefined
      const run = async () => {
        if (running) return running
        running = task().catch((err: unknown) => { log.error({ err, job: name }, 'scheduled job failed') })
          .finally(() => { running = undefined })
        return running
      }
      // a claimed run: the claim renewed while it goes, released once it is over (whether it failed or not)
      const runClaimed = async (held: JobClaim) => {
        const renewal = setInterval(() => {
          held.renew().then((ok) => {
            if (!ok) (log.warn ?? log.error)({ job: name }, 'scheduled job\'s claim lapsed while it ran: another instance may run it too')
          }, (err: unknown) => { log.error({ err, job: name }, 'scheduled job\'s claim not renewed') })
        }, renewMs)
        renewal.unref()
        try {
          // a run by hand may have started while the claim was made: the claim then covers it
          await run()
        } finally {
          clearInterval(renewal)
          await held.release().catch((err: unknown) => { log.error({ err, job: name }, 'scheduled job\'s claim not released') })
        }
      }
      const tick = async () => {
        // running here already: no claim, so no other instance's run and no lost period (the tick is skipped)
        if (running) return
        if (claim === undefined) return await run()
        const held = await claim(name, new Date()).catch((err: unknown) => { log.error({ err, job: name }, 'scheduled job not claimed'); return false as const })
        if (held) await runClaimed(held)
      }
      const job = cron.schedule(expression, tick, { name, noOverlap: true })
      tasks.set(name, { job, run })
    },
    async run (name) {
      const task = tasks.get(name)
      if (!task) throw new Error(`no scheduled job named ${name}`)
      await task.run()
    },
    async stop () {
      for (const { job } of tasks.values()) await job.stop()
    },
    async destroy () {
      await Promise.all([...tasks.values()].map(({ job }) => job.destroy()))
    },
  }
}
