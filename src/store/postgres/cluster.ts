// The cluster of instances on one PostgreSQL database: LISTEN/NOTIFY for messages, the Setting table for
// job claims (src/store/postgres/notify.ts, job-claims.ts).
import type { Cluster, ClusterMessage } from '../../events/cluster.ts'
import type { PostgresDatabase } from './database.ts'
import { claimJobPeriod, periodOf } from './job-claims.ts'
import { openNotifyChannel, type ChannelLogger } from './notify.ts'

const CHANNEL = 'persona_mcp_cluster'

export async function openPostgresCluster (db: PostgresDatabase, url: string, log: ChannelLogger): Promise<Cluster> {
  const channel = await openNotifyChannel({ url, pool: db.pool, channel: CHANNEL, log })
  return {
    scope: 'many',
    publish (message) {
      channel.publish(message).catch((err: unknown) => { log.warn({ err, kind: message.kind }, 'cluster message not sent') })
    },
    subscribe (handler) {
      return channel.subscribe((message) => {
        if (typeof message === 'object' && message !== null && typeof (message as ClusterMessage).kind === 'string') handler(message as ClusterMessage)
      })
    },
    claim: async (job, at) => await claimJobPeriod(db.pool, job, periodOf(at)),
    close: async () => { await channel.close() },
  }
}
