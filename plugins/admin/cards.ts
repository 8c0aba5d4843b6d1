import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import multipart from '@fastify/multipart'
import { createCardAdmin, etagMatches, UPLOAD_FIELD } from '../../src/cards/admin.ts'
import { DEFAULT_LIMITS } from '../../src/cards/errors.ts'
import { ImportedCardView } from '../../src/cards/schemas.ts'
import { PersonaRef } from '../../src/personas/schemas.ts'
import { errorResponses } from './common.ts'

const tags = ['personas']
/** the card readers' own bound: a larger upload would only be refused by them after it was read */
const CARD_BYTES_MAX = DEFAULT_LIMITS.maxBytes

/**
 * Card import by upload (the file's raw bytes, a JSON card, or a multipart form with one `file`) and
 * persona avatars. This plugin is encapsulated: its body parsers apply to these routes only.
 */
const cardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = createCardAdmin({ cards: app.cards, personas: app.personas })
  // the card file itself is the body (curl --data-binary @card.png): PNG, CHARX (zip) or JSON
  for (const type of ['image/png', 'application/zip', 'application/octet-stream']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: CARD_BYTES_MAX }, (_req, body, done) => done(null, body))
  }
  // a text body is no card file: 415 like any other type, not a string the readers guess at
  app.removeContentTypeParser('text/plain')
  // curl -F file=@card.png: streamed, cut off (413) past the bound; a second file is a 400 (see importMultipart)
  await app.register(multipart, { limits: { fileSize: CARD_BYTES_MAX, files: 1, fields: 16, fieldSize: 64 * 1024, parts: 17 } })

  app.post('/personas/import', {
    schema: {
      tags,
      summary: 'Import a character card file (PNG, CHARX or JSON) as a new persona',
      description: 'Send the file as the body: `Content-Type: image/png`, `application/zip` (CHARX), `application/octet-stream` (detected) or `application/json`; ' +
        `or as \`multipart/form-data\` with the file in the field \`${UPLOAD_FIELD}\`. At most ${CARD_BYTES_MAX} bytes (413 beyond); other types are 415. ` +
        'The persona belongs to the importing key\'s user, as with a create. A taken name is 409.',
      response: { 201: ImportedCardView, ...errorResponses(400, 409, 413, 415) },
    },
  }, async (request, reply) => {
    const view = request.isMultipart()
      ? await admin.importMultipart(request.parts(), request.user)
      : await admin.importUpload(request.body as Buffer | object | undefined, request.user)
    return reply.code(201).send(view)
  })

  app.get('/personas/:id/avatar', {
    // a client key may read it too (the console and MCP hosts show avatars to every user); see admin.avatar
    config: { clientReadable: true },
    schema: {
      tags,
      summary: 'The persona\'s avatar image (the card\'s, or a generated monogram PNG); any API key may read it',
      params: Type.Object({ id: PersonaRef }),
      response: {
        200: Type.String({ format: 'binary', description: 'the image bytes (image/png, image/jpeg, image/webp...), with an ETag' }),
        304: Type.Null({ description: 'unchanged since the ETag sent in If-None-Match' }),
        ...errorResponses(404),
      },
    },
  }, async (request, reply) => {
    const avatar = await admin.avatar(request.params.id)
    // private: the route needs a key; revalidated each minute, since a rename changes a generated avatar
    reply.header('etag', avatar.etag).header('cache-control', 'private, max-age=60')
    if (etagMatches(request.headers['if-none-match'], avatar.etag)) return reply.code(304).send(null)
    return reply.type(avatar.mime).header('x-content-type-options', 'nosniff').send(avatar.bytes)
  })
}

export default cardRoutes
