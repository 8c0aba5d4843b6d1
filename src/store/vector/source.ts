import type { IndexedMemory } from '../../memory/types.ts'

// Where the vector store reads the memories it indexes and records what the index holds: the Memory table
// of whichever database the store runs on (src/store/<database>/vector-source.ts). The database is the truth;
// an index is derived data that can always be rebuilt from the embeddings stored there. Asynchronous, as any
// database but SQLite must be.

export interface VectorSource {
  /** live (not pruned) memories carrying an embedding of this embedder, in batches */
  batches (embedderId: string, batchSize: number): AsyncIterable<IndexedMemory[]>
  /** live memories of this embedder the index has not confirmed yet (indexedAt IS NULL) */
  pending (embedderId: string, limit: number): Promise<IndexedMemory[]>
  /** how many live memories carry an embedding of this embedder */
  count (embedderId: string): Promise<number>
  /** how many of those are pending */
  pendingCount (embedderId: string): Promise<number>
  /** their ids */
  ids (embedderId: string): Promise<string[]>
  markIndexed (ids: string[]): Promise<void>
  /** these ids, or every memory, must be synced again */
  markUnindexed (ids?: string[]): Promise<void>
  /** live memories embedded by another embedder or not at all: they need re-embedding */
  staleEmbeddings (embedderId: string, limit: number): Promise<Array<{ id: string, content: string }>>
  /** stores vectors of this embedder; they become pending for the index */
  saveEmbeddings (rows: Array<{ id: string, vector: Float32Array }>, embedderId: string): Promise<void>
}
