import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Prisma } from '../../src/generated/prisma/client.ts'
import { domainError, ErrorCode } from '../../src/rpc/errors.ts'
import { errorResponses, Nullable } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['sessions']
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'session id' }) })

const SessionView = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  current_persona: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  attached: Type.Boolean({ description: 'a connection holds the session now' }),
  has_snapshot: Type.Boolean({ description: 'state.save stored a snapshot' }),
  conversation_count: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
  last_activity: Type.String({ format: 'date-time' }),
})
const SessionDetail = Type.Composite([SessionView, Type.Object({
  conversations: Type.Array(Type.Object({
    id: Type.String(), persona_id: Type.String(), turn_count: Type.Integer(), last_activity: Type.String({ format: 'date-time' }),
  })),
})])

const ListQuery = Type.Object({
  ...PageQuery.properties,
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'only this user\'s sessions' })),
  persona_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'only sessions whose current persona is this (id or name)' })),
})

/**
 * /admin/v1/sessions: the stored sessions of every user (the Session table). A session lives only
 * in memory until it carries state or its id was handed out, so brand-new connections are not listed.
 */
const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db
  const { sessions, personas } = app
  type Row = Prisma.SessionGetPayload<{ include: { _count: { select: { conversations: true } } } }>

  const view = (row: Row) => {
    const persona = row.currentPersonaId === null ? undefined : personas.find(row.currentPersonaId)
    return {
      id: row.id,
      user_id: row.userId,
      current_persona: persona ? { id: persona.id, name: persona.name } : null,
      attached: sessions.isAttached(row.id),
      has_snapshot: row.snapshot !== null,
      conversation_count: row._count.conversations,
      created_at: row.createdAt.toISOString(),
      last_activity: row.lastActivityAt.toISOString(),
    }
  }
  const find = async (id: string) => {
    const row = await prisma.session.findUnique({ where: { id }, include: { _count: { select: { conversations: true } } } })
    if (!row) throw domainError(ErrorCode.SessionNotFound, `Session not found: ${id}`, { session_id: id })
    return row
  }

  app.get('/sessions', {
    schema: { tags, summary: 'List sessions, most recently active first', querystring: ListQuery, response: { 200: Page(SessionView), ...errorResponses(400, 404) } },
  }, async (request) => {
    const { limit, offset, user_id, persona_id } = request.query
    const where = {
      ...(user_id === undefined ? {} : { userId: user_id }),
      ...(persona_id === undefined ? {} : { currentPersonaId: personas.get(persona_id).id }),
    }
    const [rows, total] = await Promise.all([
      prisma.session.findMany({
        where, orderBy: [{ lastActivityAt: 'desc' }, { id: 'asc' }], skip: offset, take: limit, include: { _count: { select: { conversations: true } } },
      }),
      prisma.session.count({ where }),
    ])
    return { items: rows.map(view), total, limit, offset }
  })

  app.get('/sessions/:id', {
    schema: { tags, summary: 'Inspect a session and its conversations', params: Params, response: { 200: SessionDetail, ...errorResponses(400, 404) } },
  }, async (request) => {
    const row = await find(request.params.id)
    const conversations = await prisma.conversation.findMany({ where: { sessionId: row.id }, orderBy: { lastActivityAt: 'desc' } })
    return {
      ...view(row),
      conversations: conversations.map((c) => ({ id: c.id, persona_id: c.personaId, turn_count: c.turnCount, last_activity: c.lastActivityAt.toISOString() })),
    }
  })

  app.delete('/sessions/:id', {
    schema: {
      tags,
      summary: 'Expire a session now, with its conversations and transcripts (memories stay)',
      description: 'Refused with 409 while a connection holds the session: the client would lose it mid-use.',
      params: Params,
      response: {
        200: Type.Object({ id: Type.String(), expired: Type.Literal(true), conversations_removed: Type.Integer(), messages_removed: Type.Integer() }),
        ...errorResponses(400, 404, 409),
      },
    },
  }, async (request) => {
    const { id } = await find(request.params.id)
    if (sessions.isAttached(id)) {
      throw domainError(ErrorCode.SessionInUse, `Session ${id} is held by a connection; it can be expired once that connection closes`, { session_id: id })
    }
    const [messages, conversations] = await prisma.$transaction([
      prisma.message.count({ where: { conversation: { sessionId: id } } }),
      prisma.conversation.count({ where: { sessionId: id } }),
      // conversations and messages go with it (onDelete: Cascade)
      prisma.session.delete({ where: { id } }),
    ])
    app.conversations.threads.forgetSessions(new Set([id]))
    return { id, expired: true as const, conversations_removed: conversations, messages_removed: messages }
  })
}

export default sessionRoutes
