import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createSessionAdmin } from '../../src/sessions/admin.ts'
import { SessionDetail, SessionExpired, SessionView } from '../../src/sessions/schemas.ts'
import { errorResponses } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['sessions']
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'session id' }) })

const ListQuery = Type.Object({
  ...PageQuery.properties,
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'only this user\'s sessions' })),
  persona_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'only sessions whose current persona is this (id or name)' })),
})

/**
 * /admin/v1/sessions: the stored sessions of every user. A session lives only in memory until it
 * carries state or its id was handed out, so brand-new connections are not listed.
 */
const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = createSessionAdmin({
    repository: app.store.sessions, sessions: app.sessions, personas: app.personas,
    forgetThreads: (ids) => { app.conversations.threads.forgetSessions(ids) },
  })

  app.get('/sessions', {
    schema: { tags, summary: 'List sessions, most recently active first', querystring: ListQuery, response: { 200: Page(SessionView), ...errorResponses(400, 404) } },
  }, (request) => admin.list(request.query))

  app.get('/sessions/:id', {
    schema: { tags, summary: 'Inspect a session and its conversations', params: Params, response: { 200: SessionDetail, ...errorResponses(400, 404) } },
  }, (request) => admin.detail(request.params.id))

  app.delete('/sessions/:id', {
    schema: {
      tags,
      summary: 'Expire a session now, with its conversations and transcripts (memories stay)',
      description: 'Refused with 409 while a connection holds the session: the client would lose it mid-use.',
      params: Params,
      response: { 200: SessionExpired, ...errorResponses(400, 404, 409) },
    },
  }, (request) => admin.expire(request.params.id))
}

export default sessionRoutes
