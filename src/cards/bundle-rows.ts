import { randomUUID } from 'node:crypto'
import type {
  BundleConversationRow, BundleMemoryRow, BundleRelationshipRow, BundleRestore,
} from './bundle-repository.ts'
import type { BundleConversation, BundleMemory, BundleRelationship } from './bundle-schemas.ts'
import { vectorText } from './bundle-format.ts'

// Rows <-> the bundle's files: column names to snake_case, epoch ms to ISO text, new ids on the way back.
// Only a conversation's id travels (memories of its turns point at it); every row restored gets a new id,
// and the speakers are the importer and the persona.

const iso = (ms: number) => new Date(ms).toISOString()
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms))
const ms = (text: string) => Date.parse(text)
const msOrNull = (text: string | null) => (text === null ? null : ms(text))

export function memoryFile (m: BundleMemoryRow): BundleMemory {
  return {
    content: m.content,
    memory_type: m.memoryType,
    importance: m.importance,
    base_importance: m.baseImportance,
    emotional_valence: m.emotionalValence,
    visibility: m.visibility as BundleMemory['visibility'],
    protected: m.metadata.pinned === true,
    related_personas: m.relatedPersonas,
    metadata: m.metadata,
    access_count: m.accessCount,
    last_accessed_at: isoOrNull(m.lastAccessedAt),
    created_at: iso(m.createdAt),
    embedding: m.embedding === null || m.embeddingModel === null ? null : { model: m.embeddingModel, vector: vectorText(m.embedding) },
  }
}

export function relationshipFile (r: BundleRelationshipRow): BundleRelationship {
  return {
    affinity: r.affinity,
    trust: r.trust,
    respect: r.respect,
    intimacy: r.intimacy,
    relationship_type: r.relationshipType,
    interaction_count: r.interactionCount,
    total_interaction_time: r.totalInteractionTime,
    last_interaction: isoOrNull(r.lastInteraction),
    first_meeting: iso(r.firstMeeting),
    recent_interaction_quality: r.recentInteractionQuality,
    shared_experiences: r.sharedExperiences,
    memorable_moments: r.memorableMoments,
    conflict_history: r.conflictHistory,
    compatibility_factors: r.compatibilityFactors,
    events: r.events.map((e) => ({ quality: e.quality, duration_minutes: e.durationMinutes, context: e.context, deltas: e.deltas, created_at: iso(e.createdAt) })),
  }
}

export function conversationFile (c: BundleConversationRow): BundleConversation {
  return {
    id: c.id,
    topic: c.topic,
    token_budget: c.tokenBudget,
    tokens_used: c.tokensUsed,
    continue_score: c.continueScore,
    turn_count: c.turnCount,
    duration_seconds: c.durationSeconds,
    summary: c.summary,
    summarized_turn: c.summarizedTurn,
    status: c.status,
    end_reason: c.endReason,
    started_at: iso(c.startedAt),
    last_activity_at: iso(c.lastActivityAt),
    ended_at: isoOrNull(c.endedAt),
    messages: c.messages.map((m) => ({
      turn_number: m.turnNumber, role: m.role as 'user', content: m.content, tokens: m.tokens, processing_time: m.processingTime,
      response_type: m.responseType, created_at: iso(m.createdAt),
    })),
  }
}

export interface RestoreTarget { personaId: string, userId: string }

/** The conversations as rows with new ids (old id -> new); a restored thread has no session here, so it is ended. */
export function conversationRows (files: BundleConversation[], { personaId, userId }: RestoreTarget): { rows: BundleConversationRow[], ids: Map<string, string> } {
  const ids = new Map<string, string>()
  const rows = files.map((c): BundleConversationRow => {
    const ended = c.status === 'ended'
    const id = randomUUID()
    ids.set(c.id, id)
    return {
      id, topic: c.topic, tokenBudget: c.token_budget, tokensUsed: c.tokens_used, continueScore: c.continue_score,
      turnCount: c.turn_count, durationSeconds: c.duration_seconds, summary: c.summary, summarizedTurn: c.summarized_turn,
      status: 'ended', endReason: ended ? c.end_reason : (c.end_reason ?? 'imported'),
      startedAt: ms(c.started_at), lastActivityAt: ms(c.last_activity_at), endedAt: msOrNull(c.ended_at) ?? ms(c.last_activity_at),
      messages: c.messages.map((m) => ({
        id: randomUUID(), turnNumber: m.turn_number, role: m.role, speakerId: m.role === 'user' ? userId : m.role === 'persona' ? personaId : null,
        content: m.content, tokens: m.tokens, processingTime: m.processing_time, responseType: m.response_type, createdAt: ms(m.created_at),
      })),
    }
  })
  return { rows, ids }
}

export function relationshipRow (r: BundleRelationship): BundleRelationshipRow {
  return {
    affinity: r.affinity, trust: r.trust, respect: r.respect, intimacy: r.intimacy, relationshipType: r.relationship_type,
    interactionCount: r.interaction_count, totalInteractionTime: r.total_interaction_time, lastInteraction: msOrNull(r.last_interaction),
    firstMeeting: ms(r.first_meeting), recentInteractionQuality: r.recent_interaction_quality, sharedExperiences: r.shared_experiences,
    memorableMoments: r.memorable_moments, conflictHistory: r.conflict_history, compatibilityFactors: r.compatibility_factors,
    events: r.events.map((e) => ({
      id: randomUUID(), quality: e.quality, durationMinutes: e.duration_minutes, context: e.context, deltas: e.deltas, createdAt: ms(e.created_at),
    })),
  }
}

/**
 * A memory as a row with a new id and its vector; `protected` is the pinned flag, and a conversation the
 * memory points at (a chat turn's) is that conversation's new id.
 */
export function memoryRow (m: BundleMemory, vector: Float32Array, model: string, conversationIds: Map<string, string>): BundleRestore['memories'][number] {
  const metadata: Record<string, unknown> = { ...m.metadata }
  if (m.protected) metadata.pinned = true
  else delete metadata.pinned
  const conversation = typeof metadata.conversation_id === 'string' ? conversationIds.get(metadata.conversation_id) : undefined
  if (conversation !== undefined) metadata.conversation_id = conversation
  return {
    id: randomUUID(), content: m.content, memoryType: m.memory_type, importance: m.importance, baseImportance: m.base_importance,
    emotionalValence: m.emotional_valence, visibility: m.visibility, relatedPersonas: m.related_personas, metadata,
    accessCount: m.access_count, lastAccessedAt: msOrNull(m.last_accessed_at), createdAt: ms(m.created_at), embedding: vector, embeddingModel: model,
  }
}
