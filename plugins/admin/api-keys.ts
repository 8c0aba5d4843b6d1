import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, Nullable } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['api-keys']

const KeyView = Type.Object({
  id: Type.String(),
  user_id: Type.String({ description: 'the user this key acts as: conversations and memories are scoped to it' }),
  scope: Type.Union([Type.Literal('client'), Type.Literal('admin')]),
  label: Type.String(),
  key_prefix: Type.String({ description: 'the first characters of the secret, to tell keys apart' }),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Nullable(Type.String({ format: 'date-time' })),
  revoked_at: Nullable(Type.String({ format: 'date-time' })),
})

const NewKey = Type.Composite([KeyView, Type.Object({ secret: Type.String({ description: 'shown this once: only its hash is stored' }) })])

const view = (row: { id: string, userId: string, scope: string, label: string, keyPrefix: string, createdAt: Date, lastUsedAt: Date | null, revokedAt: Date | null }) => ({
  id: row.id,
  user_id: row.userId,
  scope: row.scope as 'client' | 'admin',
  label: row.label,
  key_prefix: row.keyPrefix,
  created_at: row.createdAt.toISOString(),
  last_used_at: row.lastUsedAt?.toISOString() ?? null,
  revoked_at: row.revokedAt?.toISOString() ?? null,
})

/** /admin/v1/api-keys: keys created here (keys from API_KEYS / config.json are listed under /config). */
const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { auth } = app

  app.post('/api-keys', {
    schema: {
      tags,
      summary: 'Create an API key; the secret is in this response only',
      body: Type.Object({
        user_id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$', examples: ['alice'] }),
        scope: Type.Union([Type.Literal('client'), Type.Literal('admin')], { default: 'client' }),
        label: Type.String({ maxLength: 200, default: '', examples: ['alice laptop'] }),
      }),
      response: { 201: NewKey, ...errorResponses(400) },
    },
  }, async (request, reply) => {
    const created = await auth.create({ userId: request.body.user_id, scope: request.body.scope, label: request.body.label })
    return reply.code(201).send({ ...view(created), secret: created.secret })
  })

  app.get('/api-keys', {
    schema: { tags, summary: 'List the API keys created here (never their secrets)', querystring: PageQuery, response: { 200: Page(KeyView) } },
  }, async (request) => {
    const { limit, offset } = request.query
    const all = await auth.list()
    return { items: all.slice(offset, offset + limit).map(view), total: all.length, limit, offset }
  })

  app.delete('/api-keys/:id', {
    schema: { tags, summary: 'Revoke an API key: it stops working at once', params: Type.Object({ id: Type.String() }), response: { 200: KeyView, ...errorResponses(404) } },
  }, async (request) => view(await auth.revoke(request.params.id)))
}

export default apiKeyRoutes
