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

/** Named cron jobs that never overlap themselves. */
export function createScheduler ({ log }: { log: { error (obj: object, msg?: string): void } }): Scheduler {
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
      const job = cron.schedule(expression, run, { name, noOverlap: true })
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
