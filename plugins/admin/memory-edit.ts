import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { EditedMemoryView, MemoryId, MemoryPatchParams } from '../../src/memory/schemas.ts'
import { errorResponses, PatchBody } from './common.ts'

/** PATCH /admin/v1/memories/{id}: memory.update for an operator (any user's memory). DELETE is in memories.ts. */
const memoryEditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.patch('/memories/:id', {
    schema: {
      tags: ['memories'],
      summary: 'Change a memory (content re-embedded, importance, type, visibility, protected)',
      params: Type.Object({ id: MemoryId }),
      body: PatchBody(MemoryPatchParams.properties, { importance: 0.9, protected: true }),
      response: { 200: EditedMemoryView, ...errorResponses(400, 404) },
    },
  }, async (request) => app.memoryAdmin.update(request.params.id, request.body))
}

export default memoryEditRoutes
