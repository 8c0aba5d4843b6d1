import { Type, type TObject, type TSchema } from '@sinclair/typebox'
import { ConfigSchema } from '../config/index.ts'
import { PersonaRef } from '../personas/schemas.ts'
import { isProtected } from './edit.ts'
import type { MemoryRow } from './repository.ts'
import type { TunableSection } from './settings.ts'

// Wire shapes of memories (snake_case, original-api.md), shared by the JSON-RPC methods, the admin API and
// the MCP tools; admin variants compose these. Pruning and decay: maintenance-schemas.ts.

export const VisibilitySchema = Type.Union([Type.Literal('private'), Type.Literal('shared'), Type.Literal('public')])
export const MemoryId = Type.String({ minLength: 1, maxLength: 64, description: 'memory id' })
export const MemoryTypeName = Type.String({ minLength: 1, maxLength: 64, examples: ['conversation', 'user_input', 'fact'] })
export const SearchText = Type.String({ minLength: 1, maxLength: 2000 })
const UserId = Type.String({ minLength: 1, maxLength: 128 })
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const MemoryView = Type.Object({
  id: Type.String(),
  content: Type.String(),
  memory_type: Type.String(),
  importance: Type.Number(),
  emotional_valence: Type.Number(),
  related_personas: Type.Array(Type.String()),
  visibility: VisibilitySchema,
  created_at: Type.String({ format: 'date-time' }),
  accessed_count: Type.Integer(),
  similarity: Type.Optional(Type.Number()),
  score: Type.Optional(Type.Number()),
})

const round4 = (n: number) => Math.round(n * 10_000) / 10_000

export const memoryView = (m: MemoryRow & { similarity?: number, score?: number }) => ({
  id: m.id,
  content: m.content,
  memory_type: m.memoryType,
  importance: round4(m.importance),
  emotional_valence: m.emotionalValence,
  related_personas: m.relatedPersonas,
  visibility: m.visibility,
  created_at: new Date(m.createdAt).toISOString(),
  accessed_count: m.accessCount,
  ...(m.similarity === undefined ? {} : { similarity: round4(m.similarity) }),
  ...(m.score === undefined ? {} : { score: round4(m.score) }),
})

/** what an operator sees beyond a client's view: whose memory it is, and what it was stored with */
export const AdminMemoryView = Type.Composite([MemoryView, Type.Object({
  persona_id: Type.String(),
  user_id: Nullable(Type.String({ description: 'null: the persona\'s own memory' })),
  metadata: Type.Record(Type.String(), Type.Unknown(), { description: 'as stored' }),
})])
export const adminMemoryView = (m: MemoryRow & { similarity?: number, score?: number }) => ({ ...memoryView(m), persona_id: m.personaId, user_id: m.userId, metadata: m.metadata })

export const EditedMemoryView = Type.Composite([MemoryView, Type.Object({ protected: Type.Boolean() })])
export const editedMemoryView = (m: MemoryRow) => ({ ...memoryView(m), protected: isProtected(m) })

export const SearchResult = <T extends TSchema>(view: T) => Type.Object({ memories: Type.Array(view), query: Type.String(), result_count: Type.Integer() })

/** memory.store's fields, beside whose memory it is (the current persona's; the admin route names persona and user) */
export const MemoryStoreFields = Type.Object({
  content: Type.String({ minLength: 1, maxLength: 8000 }),
  memory_type: Type.String({ minLength: 1, maxLength: 64, default: 'user_input' }),
  importance: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'scored from the content when absent' })),
  emotional_valence: Type.Number({ minimum: -1, maximum: 1, default: 0 }),
  related_personas: Type.Array(Type.String({ maxLength: 128 }), { maxItems: 32, default: [] }),
  visibility: Type.Optional(VisibilitySchema),
  metadata: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
})
export const AdminStoreBody = Type.Composite([Type.Object({
  persona_id: PersonaRef,
  user_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128, description: 'owning user; null or absent: the persona\'s own memory' }))),
}), MemoryStoreFields], { examples: [{ persona_id: 'Aria', user_id: 'alice', content: 'Alice plays the violin', memory_type: 'fact', importance: 0.8 }] })

export const MemoryPatchParams = Type.Object({
  content: Type.Optional(Type.String({ minLength: 1, maxLength: 8000, description: 're-embedded, the vector index follows' })),
  importance: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'also becomes the base importance decay starts from' })),
  memory_type: Type.Optional(MemoryTypeName),
  visibility: Type.Optional(VisibilitySchema),
  protected: Type.Optional(Type.Boolean({ description: 'true: never decayed nor pruned' })),
})

export const AdminListQuery = Type.Object({
  persona_id: Type.Optional(PersonaRef),
  user_id: Type.Optional(UserId),
  memory_type: Type.Optional(MemoryTypeName),
  visibility: Type.Optional(VisibilitySchema),
  contains: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'only memories whose content contains this text, literally (% and _ are no wildcards); ASCII letters in any case' })),
})

export const AdminSearchQuery = Type.Object({
  persona_id: PersonaRef,
  user_id: Type.String({ minLength: 1, maxLength: 128, description: 'rank as the persona recalls for this user: their memories, the persona\'s own and public ones' }),
  query: SearchText,
  n_results: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  min_importance: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
  memory_type: Type.Optional(MemoryTypeName),
})

/** memory.stats: with no memory visible, only total_memories */
export const PersonaMemoryStats = Type.Object({
  total_memories: Type.Integer(),
  avg_importance: Type.Optional(Type.Number()),
  memory_types: Type.Optional(Type.Record(Type.String(), Type.Integer(), { description: 'count per memory type' })),
  high_importance_count: Type.Optional(Type.Integer({ description: 'importance 0.7 or more' })),
  created_today: Type.Optional(Type.Integer({ description: 'since 00:00 UTC' })),
  stats_calculation_time_ms: Type.Optional(Type.Number()),
})

export const SharedMemoryStats = Type.Object({
  total_personas: Type.Integer(),
  shared_memories: Type.Integer(),
  public_memories: Type.Integer(),
  cross_references: Type.Integer(),
  by_persona: Type.Record(Type.String(), Type.Object({ shared: Type.Integer(), public: Type.Integer(), cross_references: Type.Integer() }), { description: 'by persona id' }),
})

export const PersonaMemoryFiguresView = Type.Object({ persona_id: Type.String(), name: Type.String(), stats: PersonaMemoryStats })

export const CrossPersonaSearchResult = Type.Object({
  requesting_persona: Type.String(),
  query: Type.String(),
  memories: Type.Array(Type.Object({
    memory_id: Type.String(), content: Type.String(), similarity: Type.Number(), importance: Type.Number(), memory_type: Type.String(),
    created_at: Type.String({ format: 'date-time' }), visibility: VisibilitySchema,
    source: Type.Union([Type.Literal('own'), Type.Literal('cross_persona')]), source_persona: Type.String(),
  })),
  total_results: Type.Integer(),
  search_params: Type.Object({ min_importance: Type.Number(), include_shared: Type.Boolean(), include_public: Type.Boolean() }),
})

/** persona.memory: the earlier server's short form */
export const RecalledMemories = Type.Object({
  memories: Type.Array(Type.Object({ content: Type.String(), importance: Type.Number(), memory_type: Type.String(), created_at: Type.String({ format: 'date-time' }) })),
  query: Type.String(),
  total_found: Type.Integer(),
})

const IndexKind = Type.Union([Type.Literal('chroma'), Type.Literal('local')])
const IndexStatus = { kind: IndexKind, available: Type.Boolean(), detail: Type.Optional(Type.String()) }
export const VectorIndexView = Type.Object({
  ...IndexStatus,
  configured: Type.Optional(IndexKind),
  embedder: Type.Optional(Type.String()),
  chroma: Type.Optional(Type.Object(IndexStatus)),
})

export const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
export const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
export const toCamelKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]))
export const toSnakeKeys = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [snake(k), v]))

/** A config section in the earlier server's snake_case names, with config.json's own ranges and descriptions (no second copy). */
function sectionSchema (section: TunableSection, optional: boolean): TObject {
  const properties = (ConfigSchema.properties.memory.properties[section] as TObject).properties
  return Type.Object(Object.fromEntries(Object.entries(properties).map(([key, schema]) => {
    const copy: TSchema = { ...schema }
    delete copy.default
    return [snake(key), optional ? Type.Optional(copy) : copy]
  })))
}

/** A section as optional params, no defaults: a patch changes only what it names. */
export const patchParams = (section: TunableSection): TObject => sectionSchema(section, true)
/** A section as it is in force. */
export const SettingsView = (section: TunableSection): TObject => sectionSchema(section, false)

export const MemorySettingsView = Type.Object({
  scoring: SettingsView('scoring'), retrieval: SettingsView('retrieval'), pruning: SettingsView('pruning'), decay: SettingsView('decay'),
})

/** the memory system as a whole (memory.get_stats adds the settings, the admin overview the sharing figures) */
export const MemoryOverview = Type.Object({
  personas: Type.Array(PersonaMemoryFiguresView),
  total_memories: Type.Integer(),
  embedder: Type.String(),
  vector_index: VectorIndexView,
  timestamp: Type.String({ format: 'date-time' }),
})
