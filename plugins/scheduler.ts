import fp from 'fastify-plugin'
import { createScheduler, type Scheduler } from '../src/system/scheduler.ts'

declare module 'fastify' {
  interface FastifyInstance {
    scheduler: Scheduler
  }
}

/** Cron jobs for the other plugins (decay, pruning, regeneration, expiry). */
export default fp(async (app) => {
  // a cluster of one claims every tick; several instances on PostgreSQL claim each tick in the database
  const claim = app.cluster.scope === 'one' ? undefined : app.cluster.claim
  const scheduler = createScheduler({ log: app.log.child({ component: 'scheduler' }), claim })
  app.decorate('scheduler', scheduler)
  // stop the clocks first, then let a job already running finish before the database closes
  app.addHook('preClose', () => scheduler.stop())
  app.addHook('onClose', () => scheduler.destroy())
}, { name: 'scheduler', dependencies: ['db'] })
