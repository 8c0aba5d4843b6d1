import { Type, type TObject } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PersonaRef } from '../../src/personas/schemas.ts'
import { relationshipView } from '../../src/relationships/service.ts'
import { domainError, ErrorCode } from '../../src/rpc/errors.ts'
import { errorResponses, rpcResultSchema } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['relationships']
const Kind = Type.Union([Type.Literal('persona'), Type.Literal('user')], {
  default: 'persona', description: 'persona: between two personas; user: a persona (persona1_id) and a user (persona2_id is the user id)',
})
const Pair = Type.Object({ persona1: PersonaRef, persona2: PersonaRef })

/** /admin/v1/relationships: how personas feel about each other and about users. */
const relationshipRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { personas, relationships } = app
  const { registry } = app.rpc
  // the relationship.get wire shape, plus which kind of relationship it is
  const RelationshipView = rpcResultSchema<TObject>(registry, 'relationship.get', 'relationship', 0)
  const AdminRelationshipView = Type.Object({ kind: Type.Union([Type.Literal('persona'), Type.Literal('user')]), ...RelationshipView.properties })

  app.get('/relationships', {
    schema: {
      tags,
      summary: 'List relationships, most recent interaction first',
      querystring: Type.Object({ ...PageQuery.properties, kind: Kind, persona_id: Type.Optional(PersonaRef) }),
      response: { 200: Page(AdminRelationshipView), ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const { limit, offset, kind, persona_id } = request.query
    const all = persona_id === undefined ? await relationships.all(kind) : await relationships.forPersona(personas.get(persona_id).id, kind)
    const last = (r: { lastInteraction: Date | null }) => r.lastInteraction?.getTime() ?? 0
    all.sort((a, b) => last(b) - last(a) || a.id.localeCompare(b.id))
    const items = all.slice(offset, offset + limit).map((rel) => ({ kind: rel.kind, ...relationshipView(rel) }))
    return { items, total: all.length, limit, offset }
  })

  app.get('/relationships/:persona1/:persona2', {
    schema: {
      tags,
      summary: 'The relationship between two personas (order does not matter)',
      params: Pair,
      response: { 200: AdminRelationshipView, ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const [a, b] = [personas.get(request.params.persona1), personas.get(request.params.persona2)]
    const rel = await relationships.find('persona', a.id, b.id)
    if (!rel) throw domainError(ErrorCode.NotFound, `${a.name} and ${b.name} have not met yet`, { persona1_id: a.id, persona2_id: b.id })
    return { kind: rel.kind, ...relationshipView(rel) }
  })

  app.get('/relationships/:persona1/:persona2/compatibility', {
    schema: {
      tags,
      summary: 'How well two personas would get on, with suggestions',
      params: Pair,
      response: { 200: rpcResultSchema(registry, 'relationship.compatibility'), ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const { p1, p2, existing, analysis } = await relationships.compatibility(request.params.persona1, request.params.persona2)
    return { persona1: { id: p1.id, name: p1.name }, persona2: { id: p2.id, name: p2.name }, ...analysis, existing_relationship: existing !== null }
  })
}

export default relationshipRoutes
