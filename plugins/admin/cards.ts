import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PersonaRef } from '../../src/personas/schemas.ts'
import { errorResponses } from './common.ts'

const tags = ['personas']
const CARD_BYTES_MAX = 16 * 1024 * 1024

/** Card import by upload (the file's raw bytes as the body) and persona avatars. */
const cardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { cards, personas } = app
  // the card file itself is the body (curl --data-binary @card.png): PNG, CHARX (zip) or JSON
  for (const type of ['image/png', 'application/zip', 'application/octet-stream']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: CARD_BYTES_MAX }, (_req, body, done) => done(null, body))
  }

  app.post('/personas/import', {
    schema: {
      tags,
      summary: 'Import a character card file (PNG, CHARX or JSON) as a new persona',
      description: 'Send the file as the body: `Content-Type: image/png`, `application/zip` (CHARX), `application/octet-stream` (detected) or `application/json`. ' +
        'The persona belongs to the importing key\'s user, as with a create. A taken name is 409.',
      response: {
        201: Type.Object({ persona_id: Type.String(), name: Type.String(), format: Type.String(), warnings: Type.Array(Type.String()), lore_memories: Type.Integer() }),
        ...errorResponses(400, 409),
      },
    },
  }, async (request, reply) => {
    const body = request.body as Buffer | object | undefined
    if (body === undefined || body === null) return reply.code(400).send({ statusCode: 400, code: 'BAD_REQUEST', error: 'Bad Request', message: 'the card file is the request body' })
    const imported = await cards.importCard(Buffer.isBuffer(body) ? new Uint8Array(body) : body, request.user)
    return reply.code(201).send({
      persona_id: imported.persona.id, name: imported.persona.name, format: imported.format, warnings: imported.warnings, lore_memories: imported.loreMemories,
    })
  })

  app.get('/personas/:id/avatar', {
    schema: {
      tags,
      summary: 'The persona\'s avatar image (the card\'s, or a generated monogram PNG)',
      params: Type.Object({ id: PersonaRef }),
      response: { 200: Type.Any({ description: 'the image bytes' }), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const avatar = cards.avatarOrGenerated(personas.get(request.params.id))
    return reply.type(avatar.mime).header('cache-control', 'no-cache').send(avatar.bytes)
  })
}

export default cardRoutes
