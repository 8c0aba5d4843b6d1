import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { TranscriptEntry, transcriptEntry } from '../../src/conversation/schemas.ts'
import type { Conversation } from '../../src/generated/prisma/client.ts'
import { domainError, ErrorCode } from '../../src/rpc/errors.ts'
import { errorResponses, iso, Nullable } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['conversations']
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'conversation id' }) })
const Kind = Type.Union([Type.Literal('user'), Type.Literal('persona')], { description: 'user: a user\'s thread with a persona; persona: persona-to-persona' })

const ConversationView = Type.Object({
  id: Type.String(),
  kind: Kind,
  session_id: Nullable(Type.String()),
  user_id: Nullable(Type.String()),
  persona_id: Type.String({ description: 'the persona of a user thread, or the first participant' }),
  other_persona_id: Nullable(Type.String({ description: 'the second participant of a persona-to-persona conversation' })),
  topic: Nullable(Type.String()),
  status: Type.String({ description: 'active or ended' }),
  end_reason: Nullable(Type.String()),
  turn_count: Type.Integer(),
  tokens_used: Type.Integer(),
  summary: Type.String({ description: 'earlier turns folded into a summary' }),
  started_at: Type.String({ format: 'date-time' }),
  last_activity: Type.String({ format: 'date-time' }),
  ended_at: Nullable(Type.String({ format: 'date-time' })),
})
const MessageView = Type.Composite([TranscriptEntry, Type.Object({ speaker_id: Nullable(Type.String({ description: 'persona id or user id' })) })])

const ListQuery = Type.Object({
  ...PageQuery.properties,
  kind: Type.Optional(Kind),
  persona_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'conversations this persona takes part in (id or name)' })),
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  session_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
})

/** /admin/v1/conversations: every user's threads and the persona-to-persona conversations, with their transcripts. */
const conversationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db
  const { personas, conversations } = app

  const view = (c: Conversation) => ({
    id: c.id,
    kind: c.kind === 'persona' ? 'persona' as const : 'user' as const,
    session_id: c.sessionId,
    user_id: c.userId,
    persona_id: c.personaId,
    other_persona_id: c.otherPersonaId,
    topic: c.topic,
    status: c.status,
    end_reason: c.endReason,
    turn_count: c.turnCount,
    tokens_used: c.tokensUsed,
    summary: c.summary,
    started_at: c.startedAt.toISOString(),
    last_activity: c.lastActivityAt.toISOString(),
    ended_at: iso(c.endedAt),
  })
  const find = async (id: string) => {
    const row = await prisma.conversation.findUnique({ where: { id } })
    if (!row) throw domainError(ErrorCode.ConversationNotFound, `Conversation not found: ${id}`, { conversation_id: id })
    return row
  }

  app.get('/conversations', {
    schema: { tags, summary: 'List conversations, most recently active first', querystring: ListQuery, response: { 200: Page(ConversationView), ...errorResponses(400, 404) } },
  }, async (request) => {
    const { limit, offset, kind, persona_id, user_id, session_id } = request.query
    const persona = persona_id === undefined ? undefined : personas.get(persona_id).id
    const where = {
      ...(kind === undefined ? {} : { kind }),
      ...(user_id === undefined ? {} : { userId: user_id }),
      ...(session_id === undefined ? {} : { sessionId: session_id }),
      ...(persona === undefined ? {} : { OR: [{ personaId: persona }, { otherPersonaId: persona }] }),
    }
    const [rows, total] = await Promise.all([
      prisma.conversation.findMany({ where, orderBy: [{ lastActivityAt: 'desc' }, { id: 'asc' }], skip: offset, take: limit }),
      prisma.conversation.count({ where }),
    ])
    return { items: rows.map(view), total, limit, offset }
  })

  app.get('/conversations/:id', {
    schema: { tags, summary: 'One conversation', params: Params, response: { 200: ConversationView, ...errorResponses(400, 404) } },
  }, async (request) => view(await find(request.params.id)))

  app.get('/conversations/:id/messages', {
    schema: {
      tags,
      summary: 'The transcript of a conversation, oldest first',
      description: 'Both messages of a user turn share its turn_number. Turns folded into the summary are still listed.',
      params: Params,
      querystring: PageQuery,
      response: { 200: Page(MessageView), ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const { id } = await find(request.params.id)
    const { limit, offset } = request.query
    const [rows, total] = await Promise.all([
      prisma.message.findMany({
        where: { conversationId: id }, orderBy: [{ turnNumber: 'asc' }, { createdAt: 'asc' }, { role: 'desc' }], skip: offset, take: limit,
      }),
      prisma.message.count({ where: { conversationId: id } }),
    ])
    const items = rows.map((m) => ({ ...transcriptEntry(m), speaker_id: m.speakerId }))
    return { items, total, limit, offset }
  })

  app.delete('/conversations/:id', {
    schema: {
      tags,
      summary: 'Delete a conversation and its transcript (memories stay)',
      description: 'An active persona-to-persona conversation is refused with 409: end it first (conversation.end).',
      params: Params,
      response: { 200: Type.Object({ id: Type.String(), deleted: Type.Literal(true), messages_removed: Type.Integer() }), ...errorResponses(400, 404, 409) },
    },
  }, async (request) => {
    const row = await find(request.params.id)
    if (row.kind === 'persona' && row.status === 'active') {
      // the engine holds it in memory and would write its next turn into a deleted row
      throw domainError(ErrorCode.Conflict, `Conversation ${row.id} is still active; end it first`, { conversation_id: row.id })
    }
    const [messages] = await prisma.$transaction([
      prisma.message.count({ where: { conversationId: row.id } }),
      prisma.conversation.delete({ where: { id: row.id } }),
    ])
    // a user thread is cached per session: the next chat starts a fresh thread instead of writing to this one
    if (row.sessionId !== null) conversations.threads.forgetSessions(new Set([row.sessionId]))
    return { id: row.id, deleted: true as const, messages_removed: messages }
  })
}

export default conversationRoutes
