import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox'
import type { StoredConversation, StoredMessage } from './repository.ts'

// Wire shapes of the chat and conversation methods (original-api.md field names), and the admin API's
// views of conversations, which compose them.

const DateTime = Type.String({ format: 'date-time' })
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Kind = Type.Union([Type.Literal('user'), Type.Literal('persona')], { description: 'user: a user\'s thread with a persona; persona: persona-to-persona' })

export const PersonaStateView = Type.Object({
  social_energy: Type.Integer(),
  available_time: Type.Integer(),
  interaction_fatigue: Type.Integer(),
})

export const ChatResult = Type.Object({
  response: Type.String(),
  response_type: Type.Union([Type.Literal('direct'), Type.Literal('fallback')]),
  continue_score: Type.Number(),
  tokens_used: Type.Integer(),
  processing_time: Type.Number({ description: 'seconds' }),
  persona_state: PersonaStateView,
  persona_id: Type.String(),
  conversation_id: Type.String(),
  turn_number: Type.Integer(),
})

/**
 * What the earlier server's stream_complete frame carried: the final response of a stream has it too
 * (stream-frames.ts). `data` repeats the totals, with what the stream adds of its own (`extra`).
 */
export const StreamComplete = <T extends TProperties>(extra: T) => Type.Object({
  event_type: Type.Literal('stream_complete'),
  stream_id: Type.String(),
  timestamp: Type.String({ format: 'date-time' }),
  full_response: Type.String(),
  chunk_count: Type.Integer(),
  tokens_used: Type.Integer(),
  processing_time: Type.Number({ description: 'seconds' }),
  data: Type.Object({
    ...extra,
    full_response: Type.String(),
    chunk_count: Type.Integer(),
    processing_time: Type.Number(),
    response_length: Type.Integer(),
    tokens_used: Type.Integer(),
  }),
})

export const StreamResult = Type.Composite([ChatResult, StreamComplete({ persona_name: Type.String() })])

// a thread's recent messages are paged again and again: each one's entry is made once (entries are never changed)
const entries = new WeakMap<StoredMessage, Static<typeof TranscriptEntry>>()

/** A stored message as a transcript entry (conversation.history and the admin API). */
export function transcriptEntry (m: StoredMessage): Static<typeof TranscriptEntry> {
  let entry = entries.get(m)
  if (entry === undefined) {
    entry = {
      turn_number: m.turnNumber,
      role: m.role === 'user' ? 'user' : 'persona',
      content: m.content,
      tokens: m.tokens,
      processing_time: m.processingTime,
      response_type: m.responseType,
      created_at: m.createdAt.toISOString(),
    }
    entries.set(m, entry)
  }
  return entry
}

export const TranscriptEntry = Type.Object({
  turn_number: Type.Integer(),
  role: Type.Union([Type.Literal('user'), Type.Literal('persona')]),
  content: Type.String(),
  tokens: Type.Integer(),
  processing_time: Type.Number(),
  response_type: Nullable(Type.String()),
  created_at: DateTime,
})

export const ChatCancelled = Type.Object({ stream_id: Type.String(), cancelled: Type.Literal(true) })

export const History = Type.Object({
  conversation_id: Nullable(Type.String()),
  persona_id: Type.String(),
  messages: Type.Array(TranscriptEntry),
  total_turns: Type.Integer(),
  has_more: Type.Boolean(),
  summary: Type.String(),
})

export const ThreadCleared = Type.Object({ conversation_id: Nullable(Type.String()), cleared: Type.Literal(true), messages_removed: Type.Integer() })

export const ConversationStatus = Type.Object({
  id: Type.String(),
  kind: Kind,
  participants: Type.Array(Type.String()),
  topic: Nullable(Type.String()),
  turn_count: Type.Integer(),
  duration: Type.Number({ description: 'seconds' }),
  continue_score: Type.Number(),
  tokens_remaining: Nullable(Type.Integer()),
  should_continue: Type.Boolean(),
  tokens_used: Type.Integer(),
  summarized_turns: Type.Integer(),
  last_activity: DateTime,
  /** persona-to-persona conversations only */
  status: Type.Optional(Type.String({ description: 'active or ended (persona-to-persona)' })),
  end_reason: Type.Optional(Nullable(Type.String())),
})

// persona-to-persona conversations

export const ConversationStarted = Type.Object({ conversation_id: Type.String(), participants: Type.Array(Type.String()), topic: Type.String(), started: Type.Literal(true) })

export const PersonaTurn = Type.Object({
  conversation_id: Type.String(),
  turn_number: Type.Integer(),
  speaker_id: Type.String(),
  speaker_name: Type.String(),
  content: Type.String(),
  response_type: Type.String(),
  tokens_used: Type.Integer(),
  continue_score: Type.Number(),
  tokens_remaining: Type.Integer(),
  should_continue: Type.Boolean(),
  ended: Type.Boolean(),
  end_reason: Nullable(Type.String()),
})

export const ConversationRun = Type.Composite([
  Type.Object({ conversation_id: Type.String(), turns_taken: Type.Integer(), ended: Type.Boolean(), end_reason: Nullable(Type.String()), turns: Type.Array(PersonaTurn) }),
  StreamComplete({ conversation_id: Type.String() }),
])

export const ConversationEnded = Type.Object({
  conversation_id: Type.String(),
  ended: Type.Literal(true),
  reason: Type.String(),
  final_stats: Type.Object({ duration: Type.Number(), turns: Type.Integer(), tokens_used: Type.Integer() }),
})

// the admin API

export const ConversationView = Type.Object({
  id: Type.String(),
  kind: Kind,
  session_id: Nullable(Type.String()),
  user_id: Nullable(Type.String()),
  persona_id: Type.String({ description: 'the persona of a user thread, or the first participant' }),
  other_persona_id: Nullable(Type.String({ description: 'the second participant of a persona-to-persona conversation' })),
  topic: Nullable(Type.String()),
  status: Type.String({ description: 'active or ended' }),
  end_reason: Nullable(Type.String()),
  turn_count: Type.Integer(),
  tokens_used: Type.Integer(),
  summary: Type.String({ description: 'earlier turns folded into a summary' }),
  started_at: DateTime,
  last_activity: DateTime,
  ended_at: Nullable(DateTime),
})

export const conversationView = (c: StoredConversation) => ({
  id: c.id,
  kind: c.kind,
  session_id: c.sessionId,
  user_id: c.userId,
  persona_id: c.personaId,
  other_persona_id: c.otherPersonaId,
  topic: c.topic,
  status: c.status,
  end_reason: c.endReason,
  turn_count: c.turnCount,
  tokens_used: c.tokensUsed,
  summary: c.summary,
  started_at: c.startedAt.toISOString(),
  last_activity: c.lastActivityAt.toISOString(),
  ended_at: c.endedAt === null ? null : c.endedAt.toISOString(),
})

export const MessageView = Type.Composite([TranscriptEntry, Type.Object({ speaker_id: Nullable(Type.String({ description: 'persona id or user id' })) })])

export const ConversationDeleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true), messages_removed: Type.Integer() })

export const ConversationKindQuery = Kind
