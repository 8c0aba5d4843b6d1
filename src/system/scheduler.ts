import cron, { type ScheduledTask } from 'node-cron'

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
  log: { error (obj: object, msg?: string): void }
  /**
   * Whether this instance runs a tick (several instances on one database: exactly one of them does,
   * see src/events/cluster.ts). A job run by hand (`run`) is not claimed: it runs where it was asked.
   */
  claim?: (job: string, at: Date) => Promise<boolean>
}

/** Named cron jobs that never overlap themselves, and run once per tick across the cluster. */
export function createScheduler ({ log, claim }: SchedulerOptions): Scheduler {
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
      const tick = async () => {
        if (claim !== undefined && !(await claim(name, new Date()).catch((err: unknown) => { log.error({ err, job: name }, 'scheduled job not claimed'); return false }))) return
        await run()
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
