import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createBundleAdmin } from '../../src/cards/bundle-admin.ts'
import { BundleUserQuery, ImportedBundleView } from '../../src/cards/bundle-schemas.ts'
import { PersonaRef } from '../../src/personas/schemas.ts'
import { errorResponses } from './common.ts'

const tags = ['personas']

/** Persona bundles for operators: any user's data about a persona as a zip, and a zip restored. */
const bundleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = createBundleAdmin({ bundles: app.bundles })
  const maxBytes = app.config.cards.maxBundleBytes
  app.addContentTypeParser('application/zip', { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) => done(null, body))

  app.get('/personas/:id/bundle', {
    schema: {
      tags,
      summary: 'A user\'s persona bundle: the card, their memories (with vectors), relationship and conversations with the persona, as a zip',
      params: Type.Object({ id: PersonaRef }),
      querystring: BundleUserQuery,
      response: { 200: Type.String({ format: 'binary', description: 'application/zip' }), ...errorResponses(400, 404) },
    },
  }, async (request, reply) => {
    const { zip, personaId } = await admin.exportZip(request.params.id, request.user, request.query.user)
    return reply.type('application/zip').header('content-disposition', `attachment; filename="persona-${personaId}.zip"`).send(zip)
  })

  app.post('/personas/import-bundle', {
    schema: {
      tags,
      summary: 'Restore a persona bundle zip for a user (default: the calling key\'s)',
      description: `The zip is the body (\`Content-Type: application/zip\`), at most ${maxBytes} bytes. The persona is created from its card when absent, ` +
        'or the rows attach to the user\'s persona of that name; a taken name that is not theirs is 409. Invalid bundles are 400 naming the field.',
      querystring: BundleUserQuery,
      response: { 201: ImportedBundleView, ...errorResponses(400, 409) },
    },
  }, async (request, reply) => reply.code(201).send(await admin.importZip(request.body, request.user, request.query.user)))
}

export default bundleRoutes
