import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createApiKeyAdmin } from '../../src/auth/admin.ts'
import { ApiKeyView, NewApiKeyBody, NewApiKeyView } from '../../src/auth/schemas.ts'
import { errorResponses } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['api-keys']

/** /admin/v1/api-keys: keys created here (keys from API_KEYS / config.json are listed under /config). */
const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = createApiKeyAdmin(app.auth)

  app.post('/api-keys', {
    schema: { tags, summary: 'Create an API key; the secret is in this response only', body: NewApiKeyBody, response: { 201: NewApiKeyView, ...errorResponses(400) } },
  }, async (request, reply) => reply.code(201).send(await admin.create(request.body)))

  app.get('/api-keys', {
    schema: { tags, summary: 'List the API keys created here (never their secrets)', querystring: PageQuery, response: { 200: Page(ApiKeyView) } },
  }, async ({ query }) => admin.list(query.limit, query.offset))

  app.delete('/api-keys/:id', {
    schema: { tags, summary: 'Revoke an API key: it stops working at once', params: Type.Object({ id: Type.String() }), response: { 200: ApiKeyView, ...errorResponses(404) } },
  }, async ({ params }) => admin.revoke(params.id))
}

export default apiKeyRoutes
