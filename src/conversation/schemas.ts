import { Type } from '@sinclair/typebox'

// Wire shapes of the chat and conversation methods (original-api.md field names).

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

/** What the earlier server's stream_complete frame carried: the final response of a stream has it too (stream-frames.ts). */
export const StreamComplete = Type.Object({
  event_type: Type.Literal('stream_complete'),
  stream_id: Type.String(),
  timestamp: Type.String({ format: 'date-time' }),
  full_response: Type.String(),
  chunk_count: Type.Integer(),
  tokens_used: Type.Integer(),
  processing_time: Type.Number({ description: 'seconds' }),
  data: Type.Object({
    full_response: Type.String(),
    chunk_count: Type.Integer(),
    processing_time: Type.Number(),
    response_length: Type.Integer(),
    tokens_used: Type.Integer(),
  }, { additionalProperties: true }),
})

export const StreamResult = Type.Composite([ChatResult, StreamComplete])

/** A stored message as a transcript entry (conversation.history and the admin API). */
export const transcriptEntry = (m: { turnNumber: number, role: string, content: string, tokens: number, processingTime: number, responseType: string | null, createdAt: Date }) => ({
  turn_number: m.turnNumber,
  role: m.role === 'user' ? 'user' as const : 'persona' as const,
  content: m.content,
  tokens: m.tokens,
  processing_time: m.processingTime,
  response_type: m.responseType,
  created_at: m.createdAt.toISOString(),
})

export const TranscriptEntry = Type.Object({
  turn_number: Type.Integer(),
  role: Type.Union([Type.Literal('user'), Type.Literal('persona')]),
  content: Type.String(),
  tokens: Type.Integer(),
  processing_time: Type.Number(),
  response_type: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
})

export const ConversationStatus = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('user'), Type.Literal('persona')]),
  participants: Type.Array(Type.String()),
  topic: Type.Union([Type.String(), Type.Null()]),
  turn_count: Type.Integer(),
  duration: Type.Number({ description: 'seconds' }),
  continue_score: Type.Number(),
  tokens_remaining: Type.Union([Type.Integer(), Type.Null()]),
  should_continue: Type.Boolean(),
  tokens_used: Type.Integer(),
  summarized_turns: Type.Integer(),
  last_activity: Type.String({ format: 'date-time' }),
})
