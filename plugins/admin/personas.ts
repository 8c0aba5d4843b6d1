import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createPersonaAdmin } from '../../src/personas/admin.ts'
import { PersonaCreateBody, PersonaDeleted, PersonaPatchBody, PersonaView } from '../../src/personas/schemas.ts'
import { errorResponses } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const Params = Type.Object({ id: Type.String({ description: 'persona id or name' }) })
const errors = errorResponses(400, 403, 404, 409)
const tags = ['personas']

/** /admin/v1/personas: the persona service over REST. */
const personaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = createPersonaAdmin(app.personas)

  app.get('/personas', {
    schema: { tags, summary: 'List personas', querystring: PageQuery, response: { 200: Page(PersonaView) } },
  }, async (request) => admin.list(request.query))

  app.get('/personas/:id', {
    schema: { tags, summary: 'Get a persona by id or name', params: Params, response: { 200: PersonaView, ...errors } },
  }, async (request) => admin.get(request.params.id))

  app.post('/personas', {
    schema: { tags, summary: 'Create a persona', body: PersonaCreateBody, response: { 201: PersonaView, ...errors } },
  }, async (request, reply) => reply.code(201).send(await admin.create(request.body, request.user)))

  app.patch('/personas/:id', {
    schema: { tags, summary: 'Change a persona; only the fields given change', params: Params, body: PersonaPatchBody, response: { 200: PersonaView, ...errors } },
  }, async (request) => admin.update(request.params.id, request.body))

  app.post('/personas/:id/reset-state', {
    schema: {
      tags,
      summary: 'Reset a persona\'s interaction state (energy, time, fatigue, interest, priority, cooldown) to its starting values',
      description: 'Built-in personas go back to their own starting state, others to the defaults of a new persona. The profile is not touched.',
      params: Params,
      response: { 200: PersonaView, ...errors },
    },
  }, async (request) => admin.resetState(request.params.id))

  app.delete('/personas/:id', {
    schema: {
      tags,
      summary: 'Delete a persona with its conversations and memories (built-ins cannot be deleted)',
      params: Params,
      response: { 200: PersonaDeleted, ...errors },
    },
  }, async (request) => admin.delete(request.params.id))
}

export default personaRoutes
