import { randomUUID } from 'node:crypto'
import type { PrismaClient } from '../generated/prisma/client.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { SessionState, UserIdentity } from './types.ts'

export interface SessionServiceDeps {
  prisma: PrismaClient
  now?: () => number
  /** lastActivityAt is written at most this often per session: a hot socket must not write per call */
  touchIntervalMs?: number
}

/**
 * Sessions live in memory while a connection holds them and are written to the database once they
 * carry state (a current persona) or their id has been handed out, so that they can be resumed.
 */
export function createSessionService ({ prisma, now = Date.now, touchIntervalMs = 60_000 }: SessionServiceDeps) {
  const persisted = new WeakSet<SessionState>()
  const attached = new Map<string, string>()
  const touchedAt = new WeakMap<SessionState, number>()

  const persist = async (session: SessionState) => {
    if (persisted.has(session)) return
    await prisma.session.upsert({
      where: { id: session.id },
      create: { id: session.id, userId: session.userId, currentPersonaId: session.personaId },
      update: { currentPersonaId: session.personaId },
    })
    persisted.add(session)
  }

  return {
    /** A fresh session for a new connection. */
    open (user: UserIdentity, connectionId: string): SessionState {
      const session: SessionState = { id: randomUUID(), userId: user.id, personaId: null, conversationId: null }
      attached.set(session.id, connectionId)
      touchedAt.set(session, now())
      return session
    },

    persist,

    async setPersona (session: SessionState, personaId: string | null): Promise<void> {
      session.personaId = personaId
      if (!persisted.has(session)) return persist(session)
      await prisma.session.update({ where: { id: session.id }, data: { currentPersonaId: personaId, lastActivityAt: new Date(now()) } })
    },

    /** Takes a stored session over for this connection; the old one is released. */
    async resume (sessionId: string, user: UserIdentity, current: SessionState, connectionId: string): Promise<SessionState> {
      if (sessionId === current.id) return current
      const row = await prisma.session.findUnique({ where: { id: sessionId } })
      // another user's session is reported as missing: its existence is not theirs to learn
      if (!row || row.userId !== user.id) {
        throw domainError(ErrorCode.SessionNotFound, `Session not found: ${sessionId}`, { session_id: sessionId })
      }
      const holder = attached.get(sessionId)
      if (holder !== undefined && holder !== connectionId) {
        throw domainError(ErrorCode.SessionInUse, `Session ${sessionId} is in use by another connection`, { session_id: sessionId })
      }
      const session: SessionState = { id: row.id, userId: row.userId, personaId: row.currentPersonaId, conversationId: null }
      persisted.add(session)
      touchedAt.set(session, 0)
      this.release(current)
      attached.set(session.id, connectionId)
      await this.touch(session)
      return session
    },

    /** The connection closed: the session can be resumed elsewhere. */
    release (session: SessionState): void {
      attached.delete(session.id)
    },

    /** Notes activity; writes (and returns a promise) at most once per touch interval. */
    touch (session: SessionState): Promise<void> | undefined {
      const at = now()
      if (!persisted.has(session) || at - (touchedAt.get(session) ?? 0) < touchIntervalMs) return undefined
      touchedAt.set(session, at)
      return prisma.session.update({ where: { id: session.id }, data: { lastActivityAt: new Date(at) } }).then(() => undefined)
    },

    async info (session: SessionState) {
      await persist(session)
      const row = await prisma.session.findUniqueOrThrow({ where: { id: session.id } })
      return { createdAt: row.createdAt, lastActivityAt: row.lastActivityAt }
    },

    /**
     * Removes sessions idle since before `cutoff` that no connection holds, with their transcripts
     * (memories belong to the persona and user, not the session, and stay). `busy` sessions (a chat still
     * under way in them, its connection gone) are left for the next round: their turn would point at deleted rows.
     */
    async expire (cutoff: Date, busy: (sessionId: string) => boolean = () => false): Promise<{ sessions: string[], conversations: number, messages: number }> {
      const idle = await prisma.session.findMany({ where: { lastActivityAt: { lt: cutoff } }, select: { id: true } })
      const ids = idle.map((s) => s.id).filter((id) => !attached.has(id) && !busy(id))
      if (ids.length === 0) return { sessions: [], conversations: 0, messages: 0 }
      const [messages, conversations] = await prisma.$transaction([
        prisma.message.count({ where: { conversation: { sessionId: { in: ids } } } }),
        prisma.conversation.count({ where: { sessionId: { in: ids } } }),
        prisma.session.deleteMany({ where: { id: { in: ids } } }),
      ])
      return { sessions: ids, conversations, messages }
    },

    activeCount (): number {
      return attached.size
    },

    /** Whether a connection holds the session now (the admin API refuses to expire it then). */
    isAttached (sessionId: string): boolean {
      return attached.has(sessionId)
    },
  }
}

export type SessionService = ReturnType<typeof createSessionService>
