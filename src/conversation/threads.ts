import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { PrismaClient } from '../generated/prisma/client.ts'
import { toSqlTime } from '../store/sqlite/sql-time.ts'
import type { TranscriptMessage } from './prompt.ts'

/** A user's conversation with one persona in one session, as the chat needs it. */
export interface Thread {
  readonly id: string
  readonly sessionId: string
  readonly userId: string
  readonly personaId: string
  turnCount: number
  summary: string
  /** turns up to this number are folded into `summary` */
  summarizedTurn: number
  tokensUsed: number
  startedAt: Date
  lastActivityAt: Date
  /** the newest messages, oldest first, at most `window` of them */
  recent: TranscriptMessage[]
  /** bumped by clear: a summary computed from before it is not saved */
  epoch: number
}

export interface TurnRecord {
  user: string
  reply: string
  tokens: number
  processingTime: number
  responseType: string
  speakerId: string
  userId: string
}

const MAX_CACHED_THREADS = 2000

/**
 * Threads in SQLite with the hot part (counters, summary, recent messages) cached in memory,
 * so a chat turn reads nothing from the database once its thread is warm.
 */
export function createThreadStore (prisma: PrismaClient, sqlite: Database.Database, window: number) {
  const cache = new Map<string, Thread>()
  // opens under way: callers racing on a cold thread share one object, or they would number turns apart
  const opening = new Map<string, Promise<Thread>>()
  // every chat turn writes here: prepared statements in one transaction, not Prisma round trips
  const insertMessage = sqlite.prepare(`INSERT INTO Message (id, conversationId, turnNumber, role, speakerId, content, tokens, processingTime, responseType, createdAt)
    VALUES (@id, @conversationId, @turnNumber, @role, @speakerId, @content, @tokens, @processingTime, @responseType, @createdAt)`)
  const updateConversation = sqlite.prepare('UPDATE Conversation SET turnCount = ?, tokensUsed = tokensUsed + ?, lastActivityAt = ? WHERE id = ?')
  const storeTurn = sqlite.transaction((rows: Array<Record<string, unknown>>, update: [number, number, string, string]) => {
    for (const row of rows) insertMessage.run(row)
    updateConversation.run(...update)
  })
  const key = (sessionId: string, personaId: string) => `${sessionId}:${personaId}`
  const remember = (thread: Thread) => {
    const k = key(thread.sessionId, thread.personaId)
    cache.delete(k)
    cache.set(k, thread)
    if (cache.size > MAX_CACHED_THREADS) cache.delete(cache.keys().next().value as string)
    return thread
  }

  // a summary being made for a forgotten thread is not saved
  const forget = (k: string, thread: Thread) => { thread.epoch++; cache.delete(k) }

  async function load (sessionId: string, userId: string, personaId: string): Promise<Thread> {
    const row = await prisma.conversation.upsert({
      where: { sessionId_personaId: { sessionId, personaId } },
      create: { sessionId, userId, personaId, kind: 'user' },
      update: {},
    })
    const recent = await prisma.message.findMany({
      where: { conversationId: row.id },
      orderBy: [{ turnNumber: 'desc' }, { createdAt: 'desc' }],
      take: window,
    })
    return remember({
      id: row.id,
      sessionId,
      userId,
      personaId,
      turnCount: row.turnCount,
      summary: row.summary,
      summarizedTurn: row.summarizedTurn,
      tokensUsed: row.tokensUsed,
      startedAt: row.startedAt,
      lastActivityAt: row.lastActivityAt,
      recent: recent.reverse().map((m) => ({ role: m.role === 'user' ? 'user' : 'persona', content: m.content })),
      epoch: 0,
    })
  }

  return {
    key,

    open (sessionId: string, userId: string, personaId: string): Promise<Thread> {
      const k = key(sessionId, personaId)
      const cached = cache.get(k)
      if (cached) return Promise.resolve(remember(cached))
      let pending = opening.get(k)
      if (!pending) {
        pending = load(sessionId, userId, personaId).finally(() => opening.delete(k))
        opening.set(k, pending)
      }
      return pending
    },

    async byId (id: string) {
      for (const thread of cache.values()) if (thread.id === id) return thread
      return prisma.conversation.findUnique({ where: { id } })
    },

    /** The thread if it exists, without creating it. */
    async find (sessionId: string, personaId: string) {
      return cache.get(key(sessionId, personaId)) ??
        prisma.conversation.findUnique({ where: { sessionId_personaId: { sessionId, personaId } } })
    },

    async appendTurn (thread: Thread, turn: TurnRecord): Promise<number> {
      const turnNumber = thread.turnCount + 1
      const at = new Date()
      const createdAt = toSqlTime(at.getTime())
      const base = { conversationId: thread.id, turnNumber, createdAt }
      storeTurn([
        { ...base, id: randomUUID(), role: 'user', speakerId: turn.userId, content: turn.user, tokens: 0, processingTime: 0, responseType: null },
        { ...base, id: randomUUID(), role: 'persona', speakerId: turn.speakerId, content: turn.reply, tokens: turn.tokens, processingTime: turn.processingTime, responseType: turn.responseType },
      ], [turnNumber, turn.tokens, createdAt, thread.id])
      thread.turnCount = turnNumber
      thread.tokensUsed += turn.tokens
      thread.lastActivityAt = at
      thread.recent.push({ role: 'user', content: turn.user }, { role: 'persona', content: turn.reply })
      if (thread.recent.length > window) thread.recent.splice(0, thread.recent.length - window)
      return turnNumber
    },

    /** Messages of turns after `afterTurn` up to and including `throughTurn`, oldest first. */
    async turns (conversationId: string, afterTurn: number, throughTurn: number): Promise<TranscriptMessage[]> {
      const rows = await prisma.message.findMany({
        where: { conversationId, turnNumber: { gt: afterTurn, lte: throughTurn } },
        orderBy: [{ turnNumber: 'asc' }, { createdAt: 'asc' }, { role: 'desc' }],
      })
      return rows.map((m) => ({ role: m.role === 'user' ? 'user' : 'persona', content: m.content }))
    },

    /** Saves a summary made at `epoch`, unless the thread was cleared since (or deleted: then nothing is updated). */
    async saveSummary (thread: Thread, summary: string, summarizedTurn: number, epoch = thread.epoch): Promise<void> {
      if (thread.epoch !== epoch) return
      await prisma.conversation.updateMany({ where: { id: thread.id }, data: { summary, summarizedTurn } })
      if (thread.epoch !== epoch) return
      thread.summary = summary
      thread.summarizedTurn = summarizedTurn
    },

    async page (conversationId: string, limit: number, beforeTurn?: number) {
      const rows = await prisma.message.findMany({
        where: { conversationId, ...(beforeTurn === undefined ? {} : { turnNumber: { lt: beforeTurn } }) },
        orderBy: [{ turnNumber: 'desc' }, { role: 'asc' }],
        take: limit + 1,
      })
      return rows.reverse()
    },

    /** Empties a thread; callers hold its conversation lock, so no turn is being written meanwhile. */
    async clear (thread: { id: string, sessionId: string | null, personaId: string }): Promise<number> {
      // the cached object is reset in place: whoever still holds it sees the cleared thread, not a stale copy
      const cached = thread.sessionId === null ? undefined : cache.get(key(thread.sessionId, thread.personaId))
      if (cached) {
        cached.epoch++
        Object.assign(cached, { turnCount: 0, summary: '', summarizedTurn: 0, tokensUsed: 0, recent: [] })
      }
      const [{ count }] = await prisma.$transaction([
        prisma.message.deleteMany({ where: { conversationId: thread.id } }),
        prisma.conversation.update({ where: { id: thread.id }, data: { turnCount: 0, summary: '', summarizedTurn: 0, tokensUsed: 0 } }),
      ])
      return count
    },

    /** Drops cached threads of sessions that no longer exist. */
    forgetSessions (sessionIds: Set<string>): void {
      for (const [k, thread] of cache) if (sessionIds.has(thread.sessionId)) forget(k, thread)
    },

    /** Drops cached threads of a persona that is gone. */
    forgetPersona (personaId: string): void {
      for (const [k, thread] of cache) if (thread.personaId === personaId) forget(k, thread)
    },
  }
}

export type ThreadStore = ReturnType<typeof createThreadStore>
