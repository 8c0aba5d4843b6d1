import fp from 'fastify-plugin'
import cron, { type ScheduledTask } from 'node-cron'

export interface Scheduler {
  /** Runs `task` on a cron schedule; a run still going when the next is due is skipped, failures are logged. */
  every (name: string, expression: string, task: () => Promise<void>): void
  /** Runs a job now, as the schedule would (tests, admin "run now"). */
  run (name: string): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    scheduler: Scheduler
  }
}

export default fp(async (app) => {
  const tasks = new Map<string, { job: ScheduledTask, run: () => Promise<void> }>()
  const log = app.log.child({ component: 'scheduler' })

  const scheduler: Scheduler = {
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
  }
  app.decorate('scheduler', scheduler)
  // stop the clocks first, then let a job already running finish before the database closes
  app.addHook('preClose', async () => {
    for (const { job } of tasks.values()) await job.stop()
  })
  app.addHook('onClose', async () => {
    await Promise.all([...tasks.values()].map(({ job }) => job.destroy()))
  })
}, { name: 'scheduler' })
