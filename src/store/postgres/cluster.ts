// The cluster of instances on one PostgreSQL database: LISTEN/NOTIFY for messages, the Setting table for
// job claims and their leases (src/store/postgres/notify.ts, job-claims.ts), heartbeats on the channel for
// the count of live instances (src/events/instances.ts). When the listening connection comes back from a
// loss, whatever was sent meanwhile is gone: the instance announces itself again and its resync handlers
// catch up.
import type { Cluster, ClusterMessage } from '../../events/cluster.ts'
import { trackInstances } from '../../events/instances.ts'
import type { PostgresDatabase } from './database.ts'
import { claimJobPeriod, periodOf } from './job-claims.ts'
import { openNotifyChannel, type ChannelLogger } from './notify.ts'

const CHANNEL = 'persona_mcp_cluster'

export interface PostgresClusterOptions {
  /** how often this instance announces itself (tests make it short) */
  heartbeatMs?: number
  /** how long a job's claim holds without renewal (default 5 minutes; tests make it short) */
  jobLeaseMs?: number
  /** the length of a job's period: ticks within one are one run (default a minute; tests make it short) */
  jobPeriodMs?: number
}

const isMessage = (message: unknown): message is ClusterMessage =>
  typeof message === 'object' && message !== null && typeof (message as ClusterMessage).kind === 'string'

export async function openPostgresCluster (db: PostgresDatabase, url: string, log: ChannelLogger, options: PostgresClusterOptions = {}): Promise<Cluster> {
  const channel = await openNotifyChannel({ url, pool: db.pool, channel: CHANNEL, log })
  const publish = async (message: ClusterMessage): Promise<void> => {
    await channel.publish(message).catch((err: unknown) => { log.warn({ err, kind: message.kind }, 'cluster message not sent') })
  }
  const tracker = trackInstances({ id: channel.instanceId, publish, heartbeatMs: options.heartbeatMs, hearing: (withinMs) => channel.hearing(withinMs) })
  channel.subscribe((message) => { if (isMessage(message)) tracker.receive(message) })
  channel.onReconnect(() => {
    log.info?.({}, 'cluster channel back after a lost connection: messages sent meanwhile are lost; resyncing')
    tracker.announce()
  })
  return {
    scope: 'many',
    publish,
    subscribe (handler) {
      return channel.subscribe((message) => { if (isMessage(message)) handler(message) })
    },
    onResync: (handler) => channel.onReconnect(handler),
    instances: () => tracker.count(),
    claim: async (job, at) => await claimJobPeriod(db.pool, job, periodOf(at, options.jobPeriodMs), { leaseMs: options.jobLeaseMs }),
    close: async () => {
      await tracker.stop()
      await channel.close()
    },
  }
}
