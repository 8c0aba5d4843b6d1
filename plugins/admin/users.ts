import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { UserExport } from '../../src/users/schemas.ts'

/** GET /admin/v1/users/{id}/export: user.export for an operator. */
const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/users/:id/export', {
    schema: {
      tags: ['users'],
      summary: 'Everything stored about a user as JSON (API key metadata, never secrets)',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, description: 'user id' }) }),
      response: { 200: UserExport },
    },
  }, async (request) => app.userData.export(request.params.id))
}

export default userRoutes
