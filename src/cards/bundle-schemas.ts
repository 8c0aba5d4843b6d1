import { Type, type Static, type TSchema } from '@sinclair/typebox'

// Wire shapes of persona bundles (issue 16 item 4): the files inside the zip (snake_case, ISO times), and
// what persona.export_bundle / import_bundle and the admin routes send. One file format, checked on import.

export const BUNDLE_FORMAT = 'persona-mcp-bundle'
export const BUNDLE_VERSION = 1

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Time = Type.String({ format: 'date-time' })
const Count = Type.Integer({ minimum: 0 })
const Text = (maxLength: number) => Type.String({ maxLength })
const Json = Type.Unknown({ description: 'free-form JSON, as stored' })

export const BundleCounts = Type.Object({
  memories: Count,
  vectors: Type.Integer({ minimum: 0, description: 'memories whose vector travelled with them' }),
  relationship: Type.Integer({ minimum: 0, maximum: 1 }),
  relationship_events: Count,
  conversations: Count,
  messages: Count,
})

export const BundleManifest = Type.Object({
  format: Type.Literal(BUNDLE_FORMAT),
  version: Type.Literal(BUNDLE_VERSION),
  server: Type.Object({ name: Text(200), version: Text(100) }),
  exported_at: Time,
  persona: Type.Object({
    id: Text(200),
    name: Text(200),
    owned: Type.Boolean({ description: 'the exporting user owned the persona; false: card.json only lets an import create it where it is absent' }),
  }),
  embedder: Type.Object({ name: Text(200), dimensions: Type.Integer({ minimum: 1, maximum: 65536 }) }),
  counts: BundleCounts,
})

/** the vector: base64 of little-endian float32 */
export const BundleEmbedding = Type.Object({ model: Text(200), vector: Type.String({ maxLength: 400_000 }) })

export const BundleMemory = Type.Object({
  content: Type.String({ minLength: 1, maxLength: 100_000 }),
  memory_type: Type.String({ minLength: 1, maxLength: 100 }),
  importance: Type.Number({ minimum: 0, maximum: 1 }),
  base_importance: Type.Number({ minimum: 0, maximum: 1 }),
  emotional_valence: Type.Number(),
  visibility: Type.Union([Type.Literal('private'), Type.Literal('shared'), Type.Literal('public')]),
  protected: Type.Boolean({ description: 'never decayed nor pruned' }),
  related_personas: Type.Array(Text(200), { maxItems: 1000 }),
  metadata: Type.Record(Type.String(), Type.Unknown()),
  access_count: Count,
  last_accessed_at: Nullable(Time),
  created_at: Time,
  embedding: Nullable(BundleEmbedding),
})

export const BundleEvent = Type.Object({
  quality: Type.Number(),
  duration_minutes: Type.Number({ minimum: 0 }),
  context: Text(10_000),
  deltas: Type.Record(Type.String(), Type.Number()),
  created_at: Time,
})

export const BundleRelationship = Type.Object({
  affinity: Type.Number(),
  trust: Type.Number(),
  respect: Type.Number(),
  intimacy: Type.Number(),
  relationship_type: Type.String({ minLength: 1, maxLength: 100 }),
  interaction_count: Count,
  total_interaction_time: Type.Number({ minimum: 0 }),
  last_interaction: Nullable(Time),
  first_meeting: Time,
  recent_interaction_quality: Type.Number(),
  shared_experiences: Json,
  memorable_moments: Json,
  conflict_history: Json,
  compatibility_factors: Json,
  events: Type.Array(BundleEvent, { maxItems: 100_000 }),
})

export const BundleMessage = Type.Object({
  turn_number: Type.Integer({ minimum: 0 }),
  role: Type.Union([Type.Literal('user'), Type.Literal('persona'), Type.Literal('system')]),
  content: Text(1_000_000),
  tokens: Count,
  processing_time: Type.Number({ minimum: 0 }),
  response_type: Nullable(Text(100)),
  created_at: Time,
})

export const BundleConversation = Type.Object({
  id: Type.String({ maxLength: 200, description: 'its id where it was exported: what memories\' metadata.conversation_id point at; an import gives it a new one' }),
  topic: Nullable(Text(10_000)),
  token_budget: Nullable(Type.Integer()),
  tokens_used: Count,
  continue_score: Type.Number(),
  turn_count: Count,
  duration_seconds: Type.Number({ minimum: 0 }),
  summary: Text(1_000_000),
  summarized_turn: Count,
  status: Type.String({ minLength: 1, maxLength: 50 }),
  end_reason: Nullable(Text(200)),
  started_at: Time,
  last_activity_at: Time,
  ended_at: Nullable(Time),
  messages: Type.Array(BundleMessage, { maxItems: 1_000_000 }),
})

// the RPC, MCP and admin faces

/** base64 of the zip; the config's cards.maxBundleBytes bounds the bytes themselves */
export const BundleInput = Type.String({ minLength: 1, maxLength: 120_000_000, description: 'the bundle zip, base64' })

export const ExportedBundleView = Type.Object({
  persona_id: Type.String(),
  manifest: BundleManifest,
  bundle_base64: Type.String({ description: 'the bundle zip (manifest.json, card.json, memories.jsonl, relationship.json, conversations.jsonl), base64' }),
})

export const ImportedBundleView = Type.Object({
  persona_id: Type.String(),
  name: Type.String(),
  created: Type.Boolean({ description: 'true: the persona was absent here and was made from card.json; false: attached to yours (or a shared one) of that name' }),
  reembedded: Type.Boolean({ description: 'true: the vectors came from another embedder, the contents were embedded again here' }),
  counts: BundleCounts,
})

export type BundleManifest = Static<typeof BundleManifest>
export type BundleCounts = Static<typeof BundleCounts>
export type BundleMemory = Static<typeof BundleMemory>
export type BundleRelationship = Static<typeof BundleRelationship>
export type BundleConversation = Static<typeof BundleConversation>
export type ExportedBundleView = Static<typeof ExportedBundleView>
export type ImportedBundleView = Static<typeof ImportedBundleView>

/** whose data an operator exports or imports (default: the admin key's own user) */
export const BundleUserQuery = Type.Object({
  user: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'user id (default: the calling key\'s user)' })),
})
