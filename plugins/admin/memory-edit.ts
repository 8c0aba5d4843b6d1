import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { EditedMemoryView, editedMemoryView, MemoryPatchParams } from '../../src/memory/edit-methods.ts'
import type { Visibility } from '../../src/memory/types.ts'
import { errorResponses, PatchBody } from './common.ts'

const OPERATOR = { id: 'admin', scope: 'admin' } as const

/** PATCH /admin/v1/memories/{id}: memory.update for an operator (any user's memory). DELETE is in memories.ts. */
const memoryEditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { memoryEditor } = app
  app.patch('/memories/:id', {
    schema: {
      tags: ['memories'],
      summary: 'Change a memory (content re-embedded, importance, type, visibility, protected)',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'memory id' }) }),
      body: PatchBody(MemoryPatchParams.properties, { importance: 0.9, protected: true }),
      response: { 200: EditedMemoryView, ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const b = request.body
    const row = await memoryEditor.update(request.params.id, {
      content: b.content, importance: b.importance, memoryType: b.memory_type, visibility: b.visibility as Visibility | undefined, protected: b.protected,
    }, OPERATOR)
    return editedMemoryView(row)
  })
}

export default memoryEditRoutes
