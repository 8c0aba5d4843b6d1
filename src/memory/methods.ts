import { Type } from '@sinclair/typebox'
import { currentPersona, personaOrCurrent } from '../personas/methods.ts'
import { PersonaRef } from '../personas/schemas.ts'
import type { PersonaService } from '../personas/service.ts'
import type { RpcContext } from '../rpc/context.ts'
import { defineMethod } from '../rpc/method.ts'
import type { SessionService } from '../sessions/service.ts'
import {
  CrossPersonaSearchResult, MemoryOverview, MemorySettingsView, MemoryStoreFields, MemoryTypeName, MemoryView, memoryView, PersonaMemoryStats,
  RecalledMemories, SearchResult, SearchText, SharedMemoryStats, toSnakeKeys,
} from './schemas.ts'
import type { MemoryService } from './service.ts'
import { statsViewer, type MemoryStats } from './stats.ts'
import type { Visibility } from './types.ts'

export interface MemoryMethodDeps {
  memory: MemoryService
  stats: MemoryStats
  personas: PersonaService
  sessions: SessionService
}

const OptionalPersona = { persona_id: Type.Optional(PersonaRef) }

/** Storing and recalling memories: what any client may do with the memories it can see. */
export function createMemoryMethods (deps: MemoryMethodDeps) {
  const { memory, stats, personas } = deps
  const target = (ctx: RpcContext, ref?: string) => personaOrCurrent(deps, ctx, ref)
  const userId = (ctx: RpcContext) => ctx.connection.user.id
  /** counts: what this caller may see (admin keys: everything) */
  const viewer = (ctx: RpcContext) => statsViewer(ctx.connection.user)

  return [
    defineMethod({
      name: 'memory.search',
      description: 'Memories of a persona (default: the current one) ranked by similarity to the query, importance and recency.',
      readOnly: true,
      params: Type.Object({
        ...OptionalPersona,
        query: SearchText,
        n_results: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
        memory_type: Type.Optional(MemoryTypeName),
        min_importance: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
      }),
      result: SearchResult(MemoryView),
      handler: async (p, ctx) => {
        const persona = target(ctx, p.persona_id)
        const hits = await memory.search({
          personaIds: [persona.id], userId: userId(ctx), query: p.query, limit: p.n_results, minImportance: p.min_importance, memoryType: p.memory_type,
        })
        return { memories: hits.map(memoryView), query: p.query, result_count: hits.length }
      },
    }),
    defineMethod({
      name: 'memory.store',
      description: 'Store a memory for a persona (default: the current one). Without `importance` it is scored from the content.',
      params: Type.Object({ ...OptionalPersona, ...MemoryStoreFields.properties }),
      result: Type.Object({ memory_id: Type.String(), stored: Type.Literal(true), importance: Type.Number() }),
      handler: async (p, ctx) => {
        const persona = target(ctx, p.persona_id)
        const stored = await memory.store({
          personaId: persona.id, userId: userId(ctx), content: p.content, memoryType: p.memory_type, importance: p.importance,
          emotionalValence: p.emotional_valence, visibility: p.visibility as Visibility | undefined, relatedPersonas: p.related_personas, metadata: p.metadata,
        })
        return { memory_id: stored.id, stored: true as const, importance: stored.importance }
      },
    }),
    defineMethod({
      name: 'memory.search_cross_persona',
      description: 'Search the shared and public memories of the current persona and of the others (never private ones), as the two flags allow.',
      readOnly: true,
      params: Type.Object({
        ...OptionalPersona,
        query: SearchText,
        n_results: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
        min_importance: Type.Number({ minimum: 0, maximum: 1, default: 0.6 }),
        include_shared: Type.Boolean({ default: true }),
        include_public: Type.Boolean({ default: true }),
      }),
      result: CrossPersonaSearchResult,
      handler: async (p, ctx) => {
        const persona = target(ctx, p.persona_id)
        const visibilities = [...(p.include_shared ? ['shared' as const] : []), ...(p.include_public ? ['public' as const] : [])]
        // the earlier server's rule: private memories never come back here, the persona's own included;
        // its own shared and public ones pass the same two flags as everyone else's
        const everyone = [persona.id, ...personas.list().map((x) => x.id).filter((id) => id !== persona.id)]
        const hits = visibilities.length === 0 ? [] : await memory.search({
          userId: userId(ctx), query: p.query, limit: p.n_results, minImportance: p.min_importance, personaIds: everyone, visibilities,
        })
        return {
          requesting_persona: persona.id,
          query: p.query,
          memories: hits.map((h) => ({
            memory_id: h.id, content: h.content, similarity: Math.round(h.similarity * 10_000) / 10_000, importance: h.importance,
            memory_type: h.memoryType, created_at: new Date(h.createdAt).toISOString(), visibility: h.visibility,
            source: h.personaId === persona.id ? 'own' as const : 'cross_persona' as const, source_persona: h.personaId,
          })),
          total_results: hits.length,
          search_params: { min_importance: p.min_importance, include_shared: p.include_shared, include_public: p.include_public },
        }
      },
    }),
    defineMethod({
      name: 'memory.stats',
      description: 'Counts and averages of a persona\'s memories (default: the current one), as far as this caller may see them.',
      readOnly: true,
      params: Type.Object(OptionalPersona),
      result: PersonaMemoryStats,
      handler: ({ persona_id }, ctx) => stats.persona(target(ctx, persona_id).id, viewer(ctx)),
    }),
    defineMethod({
      name: 'memory.get_stats',
      description: 'The memory system as a whole: every persona\'s figures, the embedder, the vector index and the settings in force.',
      readOnly: true,
      params: Type.Object({}),
      result: Type.Composite([MemoryOverview, Type.Object({ settings: MemorySettingsView })]),
      handler: async (_p, ctx) => {
        const rows = await stats.everyPersona(personas.list(), viewer(ctx))
        const s = memory.settings()
        return {
          personas: rows,
          total_memories: rows.reduce((n, r) => n + r.stats.total_memories, 0),
          embedder: memory.embedderId,
          vector_index: { ...memory.indexStatus() },
          settings: { scoring: toSnakeKeys(s.scoring), retrieval: toSnakeKeys(s.retrieval), pruning: toSnakeKeys(s.pruning), decay: toSnakeKeys(s.decay) },
          timestamp: new Date().toISOString(),
        }
      },
    }),
    defineMethod({
      name: 'memory.shared_stats',
      description: 'How many memories each persona shares with others (shared, public, cross-references).',
      readOnly: true,
      params: Type.Object({}),
      result: Type.Object({ shared_memory_statistics: SharedMemoryStats, timestamp: Type.String({ format: 'date-time' }) }),
      handler: async (_p, ctx) => ({ shared_memory_statistics: await stats.shared(viewer(ctx)), timestamp: new Date().toISOString() }),
    }),
    defineMethod({
      name: 'persona.memory',
      description: 'What the current persona remembers about a query (its most recent memories when the query is empty).',
      readOnly: true,
      params: Type.Object({ query: Type.String({ maxLength: 2000, default: '' }), limit: Type.Integer({ minimum: 1, maximum: 100, default: 5 }) }),
      result: RecalledMemories,
      handler: async ({ query, limit }, ctx) => {
        const persona = currentPersona(deps, ctx)
        const rows = query.trim() === ''
          ? await memory.recent(persona.id, userId(ctx), limit)
          : await memory.search({ personaIds: [persona.id], userId: userId(ctx), query, limit })
        const memories = rows.map((m) => ({ content: m.content, importance: m.importance, memory_type: m.memoryType, created_at: new Date(m.createdAt).toISOString() }))
        return { memories, query, total_found: memories.length }
      },
    }),
  ]
}
