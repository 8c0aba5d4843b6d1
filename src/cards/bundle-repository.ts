// What a persona bundle (issue 16 item 4) needs from a database: one user's rows about one persona, read
// together, and written back together in one transaction under new ids. Times are epoch ms. Implementations:
// src/store/<database>/bundles.ts.
import type { StoredConversation, StoredMessage } from '../conversation/repository.ts'

export interface BundleMemoryRow {
  id: string
  content: string
  memoryType: string
  importance: number
  baseImportance: number
  emotionalValence: number
  visibility: string
  relatedPersonas: string[]
  metadata: Record<string, unknown>
  accessCount: number
  lastAccessedAt: number | null
  createdAt: number
  /** null: stored without a vector (or the restore's vector comes from the embedder) */
  embedding: Float32Array | null
  embeddingModel: string | null
}

export interface BundleEventRow {
  id: string
  quality: number
  durationMinutes: number
  context: string
  deltas: Record<string, number>
  createdAt: number
}

export interface BundleRelationshipRow {
  affinity: number
  trust: number
  respect: number
  intimacy: number
  relationshipType: string
  interactionCount: number
  totalInteractionTime: number
  lastInteraction: number | null
  firstMeeting: number
  recentInteractionQuality: number
  sharedExperiences: unknown
  memorableMoments: unknown
  conflictHistory: unknown
  compatibilityFactors: unknown
  events: BundleEventRow[]
}

/** A stored message (src/conversation/repository.ts) with its id, its time as epoch ms. */
export type BundleMessageRow = Omit<StoredMessage, 'createdAt'> & { id: string, createdAt: number }

/** A stored conversation's own columns (src/conversation/repository.ts), its times as epoch ms, and its messages. */
export type BundleConversationRow =
  Omit<StoredConversation, 'kind' | 'sessionId' | 'userId' | 'personaId' | 'otherPersonaId' | 'startedAt' | 'lastActivityAt' | 'endedAt'> & {
    startedAt: number
    lastActivityAt: number
    endedAt: number | null
    messages: BundleMessageRow[]
  }

export interface BundleRows {
  memories: BundleMemoryRow[]
  relationship: BundleRelationshipRow | null
  conversations: BundleConversationRow[]
}

/** what a restore writes: every id already new, every memory with its vector */
export interface BundleRestore extends BundleRows {
  memories: Array<BundleMemoryRow & { embedding: Float32Array, embeddingModel: string }>
}

export interface PersonaBundleRepository {
  /** the user's live memories of the persona, their relationship with it (and its events), their threads with it */
  rows (personaId: string, userId: string): Promise<BundleRows>
  /**
   * Inserts the rows for this persona and user in one transaction; the relationship replaces the user's
   * one with the persona, if any (its events are added). Conversations are kept without a session.
   */
  restore (personaId: string, userId: string, rows: BundleRestore): Promise<void>
}
