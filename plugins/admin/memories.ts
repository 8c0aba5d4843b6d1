import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createMemoryAdminList } from '../../src/memory/admin-list.ts'
import { createMemoryRepository, type MemoryRow } from '../../src/memory/repository.ts'
import { MemoryView, memoryView, VisibilitySchema } from '../../src/memory/schemas.ts'
import { createMemoryStats } from '../../src/memory/stats.ts'
import { PersonaRef } from '../../src/personas/schemas.ts'
import { domainError, ErrorCode } from '../../src/rpc/errors.ts'
import { errorResponses, Nullable, rpcResultSchema } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['memories']
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'memory id' }) })
const MemoryType = Type.String({ minLength: 1, maxLength: 64, examples: ['conversation', 'user_input', 'fact'] })

// what an operator needs beyond the client's view: whose memory it is, and what it was stored with
const AdminMemoryView = Type.Composite([MemoryView, Type.Object({
  persona_id: Type.String(),
  user_id: Nullable(Type.String({ description: 'null: the persona\'s own memory' })),
  metadata: Type.Record(Type.String(), Type.Unknown()),
})])

const ListQuery = Type.Object({
  ...PageQuery.properties,
  persona_id: Type.Optional(PersonaRef),
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  memory_type: Type.Optional(MemoryType),
  visibility: Type.Optional(VisibilitySchema),
  contains: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'only memories whose content contains this text, literally (% and _ are no wildcards); ASCII letters in any case' })),
})

const SearchQuery = Type.Object({
  persona_id: PersonaRef,
  user_id: Type.String({ minLength: 1, maxLength: 128, description: 'rank as the persona recalls for this user: their memories, the persona\'s own and public ones' }),
  query: Type.String({ minLength: 1, maxLength: 2000 }),
  n_results: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  min_importance: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
  memory_type: Type.Optional(MemoryType),
})

const StoreBody = Type.Object({
  persona_id: PersonaRef,
  user_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128, description: 'owning user; null or absent: the persona\'s own memory' }))),
  content: Type.String({ minLength: 1, maxLength: 8000 }),
  memory_type: Type.String({ minLength: 1, maxLength: 64, default: 'user_input' }),
  importance: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'scored from the content when absent' })),
  emotional_valence: Type.Number({ minimum: -1, maximum: 1, default: 0 }),
  related_personas: Type.Array(Type.String({ maxLength: 128 }), { maxItems: 32, default: [] }),
  visibility: Type.Optional(VisibilitySchema),
  metadata: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
}, { examples: [{ persona_id: 'Aria', user_id: 'alice', content: 'Alice plays the violin', memory_type: 'fact', importance: 0.8 }] })

/** /admin/v1/memories: every user's memories, searched, stored and deleted by an operator. */
const memoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sqlite } = app.db
  const { memory, personas, vectors } = app
  const repository = createMemoryRepository(sqlite)
  const stats = createMemoryStats(sqlite)
  const adminList = createMemoryAdminList(sqlite)
  const view = (m: MemoryRow) => ({ ...memoryView(m), persona_id: m.personaId, user_id: m.userId, metadata: m.metadata })
  const find = (id: string) => {
    const row = repository.get(id)
    if (!row) throw domainError(ErrorCode.NotFound, `Memory not found: ${id}`, { memory_id: id })
    return row
  }

  app.get('/memories', {
    schema: { tags, summary: 'List live memories, newest first', querystring: ListQuery, response: { 200: Page(AdminMemoryView), ...errorResponses(400, 404) } },
  }, async (request) => {
    const { limit, offset, persona_id, user_id, memory_type, visibility, contains } = request.query
    const personaId = persona_id === undefined ? undefined : personas.get(persona_id).id
    const { rows, total } = adminList.list({ personaId, userId: user_id, memoryType: memory_type, visibility, contains, limit, offset })
    const items = rows.map(view)
    return { items, total, limit, offset }
  })

  app.get('/memories/search', {
    schema: {
      tags,
      summary: 'Search a persona\'s memories as it recalls them for one user',
      description: 'Ranked like memory.search (similarity, importance, recency). An operator\'s search does not count as an access.',
      querystring: SearchQuery,
      response: { 200: Type.Object({ memories: Type.Array(AdminMemoryView), query: Type.String(), result_count: Type.Integer() }), ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const q = request.query
    const hits = await memory.search({
      personaIds: [personas.get(q.persona_id).id], userId: q.user_id, query: q.query, limit: q.n_results,
      minImportance: q.min_importance, memoryType: q.memory_type, touch: false,
    })
    return { memories: hits.map(view), query: q.query, result_count: hits.length }
  })

  app.get('/memories/stats', {
    schema: {
      tags,
      summary: 'Memory figures of every persona, sharing, the embedder and the vector index',
      response: {
        200: Type.Object({
          personas: Type.Array(Type.Object({ persona_id: Type.String(), name: Type.String(), stats: rpcResultSchema(app.rpc.registry, 'memory.stats') })),
          total_memories: Type.Integer(),
          shared: rpcResultSchema(app.rpc.registry, 'memory.shared_stats', 'shared_memory_statistics'),
          embedder: Type.String(),
          vector_index: rpcResultSchema(app.rpc.registry, 'memory.get_stats', 'vector_index'),
          timestamp: Type.String({ format: 'date-time' }),
        }),
      },
    },
  }, async () => {
    // userId null: every user's memories count
    const rows = personas.list().map((p) => ({ persona_id: p.id, name: p.name, stats: stats.persona(p.id, null) }))
    return {
      personas: rows,
      total_memories: rows.reduce((n, r) => n + r.stats.total_memories, 0),
      shared: stats.shared(null),
      embedder: memory.embedderId,
      vector_index: { ...memory.indexStatus() },
      timestamp: new Date().toISOString(),
    }
  })

  app.get('/memories/:id', {
    schema: { tags, summary: 'One memory', params: Params, response: { 200: AdminMemoryView, ...errorResponses(400, 404) } },
  }, async (request) => view(find(request.params.id)))

  app.post('/memories', {
    schema: { tags, summary: 'Store a memory for a persona', body: StoreBody, response: { 201: AdminMemoryView, ...errorResponses(400, 404) } },
  }, async (request, reply) => {
    const b = request.body
    const { id } = await memory.store({
      personaId: personas.get(b.persona_id).id, userId: b.user_id ?? null, content: b.content, memoryType: b.memory_type, importance: b.importance,
      emotionalValence: b.emotional_valence, visibility: b.visibility, relatedPersonas: b.related_personas, metadata: b.metadata,
    })
    return reply.code(201).send(view(find(id)))
  })

  app.delete('/memories/:id', {
    schema: {
      tags,
      summary: 'Delete a memory for good (not restorable, unlike pruning)',
      params: Params,
      response: { 200: Type.Object({ id: Type.String(), deleted: Type.Literal(true) }), ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const { id } = find(request.params.id)
    repository.remove(id)
    // SQLite is the truth: an index that cannot be reached now drops the vector when it re-syncs
    await vectors.remove([id]).catch((err: unknown) => request.log.warn({ err, memory: id }, 'deleted memory: its vector is removed later'))
    return { id, deleted: true as const }
  })
}

export default memoryRoutes
