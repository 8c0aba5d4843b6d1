import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createCardAdmin } from '../../src/cards/admin.ts'
import { ImportedCardView } from '../../src/cards/schemas.ts'
import { PersonaRef } from '../../src/personas/schemas.ts'
import { errorResponses } from './common.ts'

const tags = ['personas']
const CARD_BYTES_MAX = 16 * 1024 * 1024

/** Card import by upload (the file's raw bytes as the body) and persona avatars. */
const cardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = createCardAdmin({ cards: app.cards, personas: app.personas })
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
      response: { 201: ImportedCardView, ...errorResponses(400, 409) },
    },
  }, async (request, reply) => reply.code(201).send(await admin.importUpload(request.body as Buffer | object | undefined, request.user)))

  app.get('/personas/:id/avatar', {
    schema: {
      tags,
      summary: 'The persona\'s avatar image (the card\'s, or a generated monogram PNG)',
      params: Type.Object({ id: PersonaRef }),
      response: { 200: Type.String({ format: 'binary', description: 'the image bytes (image/png, image/jpeg, image/webp...)' }), ...errorResponses(404) },
    },
  }, async (request, reply) => {
    const avatar = await admin.avatar(request.params.id)
    return reply.type(avatar.mime).header('cache-control', 'no-cache').send(avatar.bytes)
  })
}

export default cardRoutes
