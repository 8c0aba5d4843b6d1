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
  /** sends to every other instance; failures are logged, never thrown at the caller */
  publish (message: ClusterMessage): void
  /** messages from the other instances; returns the function that removes the handler */
  subscribe (handler: (message: ClusterMessage) => void): () => void
  /** true when this instance is the one to run `job`'s tick at `at` */
  claim (job: string, at: Date): Promise<boolean>
  close (): Promise<void>
}

export const singleInstance: Cluster = {
  scope: 'one',
  publish () {},
  subscribe () { return () => {} },
  claim: async () => true,
  close: async () => {},
}
