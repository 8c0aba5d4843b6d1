// Ports and shared types of the memory system. SQLite (Memory table) is the source of truth;
// a VectorIndex is derived data that can always be rebuilt from the embeddings stored there.

import type { Embedder } from '../llm/types.ts'

// the embedder is the LLM layer's (src/llm/embedders/); the index and the memory system take it
export type { Embedder }

export type Visibility = 'private' | 'shared' | 'public'

/** The same rule as VectorQuery, for code that filters rows itself. */
export function visibleTo (memory: { personaId: string, userId: string | null, visibility: string }, query: Omit<VectorQuery, 'vector' | 'limit'>): boolean {
  return query.personaIds.includes(memory.personaId) &&
    (memory.userId === query.userId || memory.userId === null || memory.visibility === 'public') &&
    (query.visibilities === undefined || query.visibilities.includes(memory.visibility as Visibility))
}

/** What the index stores beside each vector, enough to filter a search without the database. */
export interface IndexedMemory {
  id: string
  personaId: string
  /** null for the persona's own memories (persona-to-persona) */
  userId: string | null
  visibility: Visibility
  vector: Float32Array
}

/**
 * Who may see a memory (never another user's private one): a memory matches when it belongs to one
 * of `personaIds`, and its owner is `userId` or nobody (the persona's own) or it is public, and, when
 * `visibilities` is given, its visibility is one of them (cross-persona search: shared and public).
 */
export interface VectorQuery {
  vector: Float32Array
  personaIds: string[]
  userId: string
  visibilities?: Visibility[]
  /** how many nearest neighbours to return */
  limit: number
}

export interface VectorHit {
  id: string
  /** cosine similarity, -1..1 */
  similarity: number
}

export interface VectorIndexStatus {
  kind: 'chroma' | 'local'
  available: boolean
  detail?: string
}

export interface VectorIndex {
  readonly kind: 'chroma' | 'local'
  /** prepares the collection for this embedder (named by embedder id and dimension) */
  open (embedder: Embedder): Promise<void>
  upsert (items: IndexedMemory[]): Promise<void>
  remove (ids: string[]): Promise<void>
  query (query: VectorQuery): Promise<VectorHit[]>
  count (): Promise<number>
  status (): VectorIndexStatus
  close (): Promise<void>
}
