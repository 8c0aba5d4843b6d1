// What several server instances on one database share beyond its rows: a message channel (events raised
// on one instance reach subscribers on the others) and once-per-period claims of scheduled jobs, each held
// while its run goes. One process on SQLite is a cluster of one: nothing to relay, every claim its own.

export interface ClusterMessage {
  kind: string
  [key: string]: unknown
}

/** A run of a scheduled job this instance claimed: held (renewed) while it goes, released when it ends. */
export interface JobClaim {
  /** keeps the claim held for another lease; false when it lapsed and another instance took the job over */
  renew (): Promise<boolean>
  /** the run is over (success or failure): the job's next period may be claimed */
  release (): Promise<void>
}

export interface Cluster {
  /** how many instances may share the database: 'one' for SQLite's single process */
  readonly scope: 'one' | 'many'
  /**
   * sends to every other instance; failures are logged, never thrown at the caller. The promise (which never
   * rejects) settles once the message is sent, for callers that bound their own backlog; others ignore it.
   */
  publish (message: ClusterMessage): Promise<void>
  /** messages from the other instances; returns the function that removes the handler */
  subscribe (handler: (message: ClusterMessage) => void): () => void
  /**
   * runs when this instance may have missed messages (its channel was down and is back): what they would
   * have said must be learned again (caches dropped). Never on a cluster of one. Returns its remover.
   */
  onResync (handler: () => void): () => void
  /**
   * live instances on the database, this one included (1 for SQLite): instances announce themselves on
   * the channel every few seconds, and one not heard from for three announcements is gone. Per-key rate
   * limits divide by it. Cheap: read it as often as needed.
   */
  instances (): number
  /**
   * this instance's claim of `job`'s tick at `at` when it is the one to run it; false when another instance
   * has that tick, or still runs an earlier one (a tick during a run is skipped cluster-wide). The claim's
   * lease runs out unless renewed (every minute or so, see src/system/scheduler.ts); release it when the
   * run ends.
   */
  claim (job: string, at: Date): Promise<JobClaim | false>
  close (): Promise<void>
}

const ownClaim: JobClaim = { renew: async () => true, release: async () => {} }

export const singleInstance: Cluster = {
  scope: 'one',
  publish: async () => {},
  subscribe () { return () => {} },
  onResync () { return () => {} },
  instances: () => 1,
  claim: async () => ownClaim,
  close: async () => {},
}
