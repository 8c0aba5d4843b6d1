import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PersonaRef } from '../../src/personas/schemas.ts'
import { createRelationshipAdmin } from '../../src/relationships/admin.ts'
import { AdminRelationshipView, CompatibilityView, RelationshipKind } from '../../src/relationships/schemas.ts'
import { errorResponses } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['relationships']
const Pair = Type.Object({ persona1: PersonaRef, persona2: PersonaRef })

/** /admin/v1/relationships: how personas feel about each other and about users. */
const relationshipRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = createRelationshipAdmin(app)

  app.get('/relationships', {
    schema: {
      tags,
      summary: 'List relationships, most recent interaction first',
      querystring: Type.Object({ ...PageQuery.properties, kind: { ...RelationshipKind, default: 'persona' as const }, persona_id: Type.Optional(PersonaRef) }),
      response: { 200: Page(AdminRelationshipView), ...errorResponses(400, 404) },
    },
  }, async ({ query }) => admin.list({ kind: query.kind, personaId: query.persona_id, limit: query.limit, offset: query.offset }))

  app.get('/relationships/:persona1/:persona2', {
    schema: {
      tags,
      summary: 'The relationship between two personas (order does not matter)',
      params: Pair,
      response: { 200: AdminRelationshipView, ...errorResponses(400, 404) },
    },
  }, async ({ params }) => admin.pair(params.persona1, params.persona2))

  app.get('/relationships/:persona1/:persona2/compatibility', {
    schema: {
      tags,
      summary: 'How well two personas would get on, with suggestions',
      params: Pair,
      response: { 200: CompatibilityView, ...errorResponses(400, 404) },
    },
  }, async ({ params }) => admin.compatibility(params.persona1, params.persona2))
}

export default relationshipRoutes
