import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BUILT_IN_PERSONAS } from '../../src/personas/builtins.ts'
import { PersonaCreateBody, PersonaPatchBody, PersonaView } from '../../src/personas/schemas.ts'
import type { StateInput } from '../../src/personas/types.ts'
import { personaPatch, personaView } from '../../src/personas/views.ts'
import { Page, PageQuery } from './pagination.ts'

const Params = Type.Object({ id: Type.String({ description: 'persona id or name' }) })
const errors = { 400: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' } }
const tags = ['personas']

/** A new persona's interaction state: the column defaults of the Persona table (prisma/schema.prisma). */
const DEFAULT_STATE: Required<StateInput> = { interestLevel: 50, interactionFatigue: 0, currentPriority: 'none', availableTime: 300, socialEnergy: 100, cooldownUntil: 0 }
/** where reset-state takes a persona back to: a built-in's own starting state, or the defaults */
const startingState = (persona: { name: string, builtIn: boolean }): Required<StateInput> => {
  const builtIn = persona.builtIn ? BUILT_IN_PERSONAS.find((b) => b.name.toLowerCase() === persona.name.toLowerCase()) : undefined
  return { ...DEFAULT_STATE, ...builtIn?.state }
}

/** /admin/v1/personas: the persona service over REST. */
const personaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { personas } = app
  const view = (p: Parameters<typeof personaView>[0]) => personaView(p, personas)

  app.get('/personas', {
    schema: { tags, summary: 'List personas', querystring: PageQuery, response: { 200: Page(PersonaView) } },
  }, async (request) => {
    const { limit, offset } = request.query
    const all = personas.list()
    return { items: all.slice(offset, offset + limit).map(view), total: all.length, limit, offset }
  })

  app.get('/personas/:id', {
    schema: { tags, summary: 'Get a persona by id or name', params: Params, response: { 200: PersonaView, ...errors } },
  }, async (request) => view(personas.get(request.params.id)))

  app.post('/personas', {
    schema: { tags, summary: 'Create a persona', body: PersonaCreateBody, response: { 201: PersonaView, ...errors } },
  }, async (request, reply) => {
    const persona = await personas.create({ ...personaPatch(request.body), name: request.body.name }, request.user.id)
    return reply.code(201).send(view(persona))
  })

  app.patch('/personas/:id', {
    schema: { tags, summary: 'Change a persona; only the fields given change', params: Params, body: PersonaPatchBody, response: { 200: PersonaView, ...errors } },
  }, async (request) => view(await personas.update(request.params.id, personaPatch(request.body))))

  app.post('/personas/:id/reset-state', {
    schema: {
      tags,
      summary: 'Reset a persona\'s interaction state (energy, time, fatigue, interest, priority, cooldown) to its starting values',
      description: 'Built-in personas go back to their own starting state, others to the defaults of a new persona. The profile is not touched.',
      params: Params,
      response: { 200: PersonaView, ...errors },
    },
  }, async (request) => {
    const persona = personas.get(request.params.id)
    // setState, not update: it runs under the persona's lock, so a chat turn cannot interleave
    const start = startingState(persona)
    return view(await personas.setState(persona.id, (state) => ({ ...state, ...start })))
  })

  app.delete('/personas/:id', {
    schema: {
      tags,
      summary: 'Delete a persona with its conversations and memories (built-ins cannot be deleted)',
      params: Params,
      response: { 200: Type.Object({ id: Type.String(), name: Type.String(), deleted: Type.Literal(true) }), ...errors },
    },
  }, async (request) => {
    const persona = await personas.delete(request.params.id)
    return { id: persona.id, name: persona.name, deleted: true as const }
  })
}

export default personaRoutes
