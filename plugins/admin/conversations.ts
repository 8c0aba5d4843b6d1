import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createConversationAdmin } from '../../src/conversation/admin.ts'
import { ConversationDeleted, ConversationKindQuery, ConversationView, MessageView } from '../../src/conversation/schemas.ts'
import { errorResponses } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['conversations']
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'conversation id' }) })

const ListQuery = Type.Object({
  ...PageQuery.properties,
  kind: Type.Optional(ConversationKindQuery),
  persona_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'conversations this persona takes part in (id or name)' })),
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  session_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
})

/** /admin/v1/conversations: every user's threads and the persona-to-persona conversations, with their transcripts. */
const conversationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = createConversationAdmin({ repository: app.store.conversations, threads: app.conversations.threads, personas: app.personas })

  app.get('/conversations', {
    schema: { tags, summary: 'List conversations, most recently active first', querystring: ListQuery, response: { 200: Page(ConversationView), ...errorResponses(400, 404) } },
  }, (request) => admin.list(request.query))

  app.get('/conversations/:id', {
    schema: { tags, summary: 'One conversation', params: Params, response: { 200: ConversationView, ...errorResponses(400, 404) } },
  }, (request) => admin.get(request.params.id))

  app.get('/conversations/:id/messages', {
    schema: {
      tags,
      summary: 'The transcript of a conversation, oldest first',
      description: 'Both messages of a user turn share its turn_number. Turns folded into the summary are still listed.',
      params: Params,
      querystring: PageQuery,
      response: { 200: Page(MessageView), ...errorResponses(400, 404) },
    },
  }, (request) => admin.messages(request.params.id, request.query))

  app.delete('/conversations/:id', {
    schema: {
      tags,
      summary: 'Delete a conversation and its transcript (memories stay)',
      description: 'An active persona-to-persona conversation is refused with 409: end it first (conversation.end).',
      params: Params,
      response: { 200: ConversationDeleted, ...errorResponses(400, 404, 409) },
    },
  }, (request) => admin.delete(request.params.id))
}

export default conversationRoutes
