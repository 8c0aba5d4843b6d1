import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  AdminListQuery, AdminMemoryView, AdminSearchQuery, AdminStoreBody, MemoryId, MemoryOverview, SearchResult, SharedMemoryStats,
} from '../../src/memory/schemas.ts'
import { errorResponses } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['memories']
const Params = Type.Object({ id: MemoryId })

const Overview = Type.Composite([MemoryOverview, Type.Object({ shared: SharedMemoryStats })])

/** /admin/v1/memories: every user's memories, searched, stored and deleted by an operator. */
const memoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = app.memoryAdmin

  app.get('/memories', {
    schema: {
      tags, summary: 'List live memories, newest first', querystring: Type.Object({ ...PageQuery.properties, ...AdminListQuery.properties }),
      response: { 200: Page(AdminMemoryView), ...errorResponses(400, 404) },
    },
  }, async (request) => admin.list(request.query))

  app.get('/memories/search', {
    schema: {
      tags,
      summary: 'Search a persona\'s memories as it recalls them for one user',
      description: 'Ranked like memory.search (similarity, importance, recency). An operator\'s search does not count as an access.',
      querystring: AdminSearchQuery,
      response: { 200: SearchResult(AdminMemoryView), ...errorResponses(400, 404) },
    },
  }, async (request) => admin.search(request.query))

  app.get('/memories/stats', {
    schema: { tags, summary: 'Memory figures of every persona, sharing, the embedder and the vector index', response: { 200: Overview } },
  }, async () => admin.overview())

  app.get('/memories/:id', {
    schema: { tags, summary: 'One memory', params: Params, response: { 200: AdminMemoryView, ...errorResponses(400, 404) } },
  }, async (request) => admin.get(request.params.id))

  app.post('/memories', {
    schema: { tags, summary: 'Store a memory for a persona', body: AdminStoreBody, response: { 201: AdminMemoryView, ...errorResponses(400, 404) } },
  }, async (request, reply) => reply.code(201).send(await admin.store(request.body)))

  app.delete('/memories/:id', {
    schema: {
      tags,
      summary: 'Delete a memory for good (not restorable, unlike pruning)',
      params: Params,
      response: { 200: Type.Object({ id: Type.String(), deleted: Type.Literal(true) }), ...errorResponses(400, 404) },
    },
  }, async (request) => admin.remove(request.params.id))
}

export default memoryRoutes
