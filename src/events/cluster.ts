// What several server instances on one database share beyond its rows: a message channel (events raised
// on one instance reach subscribers on the others) and once-per-period claims of scheduled jobs. One
// process on SQLite is a cluster of one: nothing to relay, every claim its own.

export interface ClusterMessage {
  kind: string
  [key: string]: unknown
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
  /** true when this instance is the one to run `job`'s tick at `at` */
  claim (job: string, at: Date): Promise<boolean>
  close (): Promise<void>
}

export const singleInstance: Cluster = {
  scope: 'one',
  publish: async () => {},
  subscribe () { return () => {} },
  onResync () { return () => {} },
  instances: () => 1,
  claim: async () => true,
  close: async () => {},
}
