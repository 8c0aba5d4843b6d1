import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { SavedState } from '../sessions/schemas.ts'

// Wire shapes of a user's data rights (user.export, user.erase, GET /admin/v1/users/{id}/export). The export
// is the stored rows as they are, column by column (camelCase column names); JSON columns parsed, blobs
// (embeddings) and secrets (key hashes) never included. test/users/export.test.ts holds every column of
// these tables to being here or named as left out.

const Text = Type.String()
const Id = Type.String()
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Time = Type.String({ format: 'date-time' })
const MaybeTime = Nullable(Time)

export const SessionRecord = Type.Object({
  id: Id,
  userId: Text,
  currentPersonaId: Nullable(Id),
  snapshot: Type.Union([Type.Omit(SavedState, ['active_conversations']), Type.Null()], { description: 'what state.save stored' }),
  createdAt: Time,
  lastActivityAt: Time,
})

export const ConversationRecord = Type.Object({
  id: Id,
  kind: Type.String({ description: 'user (a thread with a persona) or persona (persona to persona)' }),
  sessionId: Nullable(Id),
  userId: Nullable(Text),
  personaId: Id,
  otherPersonaId: Nullable(Id),
  topic: Nullable(Text),
  tokenBudget: Nullable(Type.Integer()),
  tokensUsed: Type.Integer(),
  continueScore: Type.Number(),
  turnCount: Type.Integer(),
  durationSeconds: Type.Number(),
  summary: Text,
  summarizedTurn: Type.Integer(),
  status: Text,
  endReason: Nullable(Text),
  startedAt: Time,
  lastActivityAt: Time,
  endedAt: MaybeTime,
})

export const MessageRecord = Type.Object({
  id: Id,
  conversationId: Id,
  turnNumber: Type.Integer(),
  role: Text,
  speakerId: Nullable(Text),
  content: Text,
  tokens: Type.Integer(),
  processingTime: Type.Number(),
  responseType: Nullable(Text),
  createdAt: Time,
})

export const MemoryRecord = Type.Object({
  id: Id,
  personaId: Id,
  userId: Nullable(Text),
  content: Text,
  memoryType: Text,
  importance: Type.Number(),
  baseImportance: Type.Number(),
  emotionalValence: Type.Number(),
  visibility: Text,
  relatedPersonas: Type.Array(Id),
  metadata: Type.Object({}, { additionalProperties: true, description: 'what the memory was stored with: free-form JSON' }),
  accessCount: Type.Integer(),
  lastAccessedAt: MaybeTime,
  createdAt: Time,
  embeddingModel: Nullable(Text),
  indexedAt: MaybeTime,
  prunedAt: MaybeTime,
  pruneRunId: Nullable(Id),
})

export const RelationshipRecord = Type.Object({
  id: Id,
  kind: Text,
  persona1Id: Id,
  persona2Id: Text,
  affinity: Type.Number(),
  trust: Type.Number(),
  respect: Type.Number(),
  intimacy: Type.Number(),
  relationshipType: Text,
  interactionCount: Type.Integer(),
  totalInteractionTime: Type.Number(),
  lastInteraction: MaybeTime,
  firstMeeting: Time,
  recentInteractionQuality: Type.Number(),
})

export const RelationshipEventRecord = Type.Object({
  id: Id,
  relationshipId: Id,
  quality: Type.Number(),
  durationMinutes: Type.Number(),
  context: Text,
  deltas: Type.Record(Type.String(), Type.Number(), { description: 'what each dimension changed by' }),
  createdAt: Time,
})

/** an API key without its secret or hash */
export const ApiKeyRecord = Type.Object({
  id: Id,
  userId: Text,
  label: Text,
  keyPrefix: Text,
  scope: Text,
  createdAt: Time,
  lastUsedAt: MaybeTime,
  revokedAt: MaybeTime,
})

export const OwnedPersonaRecord = Type.Object({ id: Id, name: Text, createdAt: Time })

/** The user's rows, table by table (messages: of their conversations, and those they spoke). */
export const UserRecords = Type.Object({
  sessions: Type.Array(SessionRecord),
  conversations: Type.Array(ConversationRecord),
  messages: Type.Array(MessageRecord),
  memories: Type.Array(MemoryRecord),
  relationships: Type.Array(RelationshipRecord),
  relationship_events: Type.Array(RelationshipEventRecord),
  api_keys: Type.Array(ApiKeyRecord),
  personas_owned: Type.Array(OwnedPersonaRecord),
})

export const UserExport = Type.Composite([
  Type.Object({ user_id: Type.String(), exported_at: Time }),
  UserRecords,
], { description: 'everything stored about the user; API keys as metadata only' })

const Count = Type.Integer({ minimum: 0 })
/** What an erase takes (or would take), by kind. */
export const DataCounts = Type.Object({
  sessions: Count,
  conversations: Count,
  messages: Count,
  memories: Count,
  relationships: Count,
  relationship_events: Count,
  api_keys: Count,
  summaries: Type.Integer({ minimum: 0, description: 'conversation summaries among the conversations' }),
  vector_entries: Type.Integer({ minimum: 0, description: 'memory vectors removed from the index' }),
  personas_disowned: Type.Integer({ minimum: 0, description: 'personas the user created: they stay, without an owner' }),
  mcp_sessions: Type.Integer({ minimum: 0, description: 'records of MCP HTTP sessions; the live ones end' }),
})

export const EraseReceipt = Type.Object({
  user_id: Type.String(),
  dry_run: Type.Boolean(),
  counts: DataCounts,
  erased_at: Type.Optional(Time),
  vector_index: Type.Optional(Type.String({ description: 'the vector index the vectors left' })),
})

export type UserRecords = Static<typeof UserRecords>
export type UserExport = Static<typeof UserExport>
export type DataCounts = Static<typeof DataCounts>
export type EraseReceipt = Static<typeof EraseReceipt>
