import { randomUUID } from 'node:crypto'
import type { SessionState, UserIdentity } from '../rpc/caller.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { RemovedTranscripts, SessionRepository, SessionSnapshot } from './repository.ts'

interface SessionTimes { createdAt: Date, lastActivityAt: Date }

export interface SessionServiceDeps {
  repository: SessionRepository
  now?: () => number
  /** lastActivityAt is written at most this often per session: a hot socket must not write per call */
  touchIntervalMs?: number
}

/**
 * Sessions live in memory while a connection holds them and are written to the database once they
 * carry state (a current persona) or their id has been handed out, so that they can be resumed.
 */
export function createSessionService ({ repository, now = Date.now, touchIntervalMs = 60_000 }: SessionServiceDeps) {
  // a session is persisted once it has stored times: what its row holds (lastActivityAt as last written),
  // kept here because this service writes them, so session.get_info reads no row
  const stored = new WeakMap<SessionState, SessionTimes>()
  const attached = new Map<string, string>()
  const touchedAt = new WeakMap<SessionState, number>()

  const written = (session: SessionState, at: Date) => {
    const times = stored.get(session)
    if (times) times.lastActivityAt = at
  }

  const persist = async (session: SessionState) => {
    if (stored.has(session)) return
    const at = new Date(now())
    await repository.save({ id: session.id, userId: session.userId, personaId: session.personaId }, at)
    // two persists racing: the first one's times are the row's
    if (!stored.has(session)) stored.set(session, { createdAt: at, lastActivityAt: at })
  }

  const notFound = (sessionId: string) => domainError(ErrorCode.SessionNotFound, `Session not found: ${sessionId}`, { session_id: sessionId })

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
      if (!stored.has(session)) return persist(session)
      const at = new Date(now())
      await repository.setPersona(session.id, personaId, at)
      written(session, at)
    },

    /** Takes a stored session over for this connection; the old one is released. */
    async resume (sessionId: string, user: UserIdentity, current: SessionState, connectionId: string): Promise<SessionState> {
      if (sessionId === current.id) return current
      const row = await repository.findById(sessionId)
      // another user's session is reported as missing: its existence is not theirs to learn
      if (!row || row.userId !== user.id) throw notFound(sessionId)
      const holder = attached.get(sessionId)
      if (holder !== undefined && holder !== connectionId) {
        throw domainError(ErrorCode.SessionInUse, `Session ${sessionId} is in use by another connection`, { session_id: sessionId })
      }
      const session: SessionState = { id: row.id, userId: row.userId, personaId: row.currentPersonaId, conversationId: null }
      stored.set(session, { createdAt: row.createdAt, lastActivityAt: row.lastActivityAt })
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
      if (!stored.has(session) || at - (touchedAt.get(session) ?? 0) < touchIntervalMs) return undefined
      touchedAt.set(session, at)
      const date = new Date(at)
      return repository.touch(session.id, date).then(() => { written(session, date) })
    },

    /**
     * When the session began and was last active, as stored (stored first: its id is being handed out).
     * Synchronous once stored, so session.get_info answers in the tick it is asked.
     */
    info (session: SessionState): Readonly<SessionTimes> | Promise<Readonly<SessionTimes>> {
      return stored.get(session) ?? persist(session).then(() => stored.get(session) as SessionTimes) // persist kept them
    },

    async saveSnapshot (session: SessionState, snapshot: SessionSnapshot): Promise<void> {
      await persist(session)
      await repository.saveSnapshot(session.id, snapshot)
    },

    loadSnapshot: (session: SessionState): Promise<SessionSnapshot | undefined> => repository.findSnapshot(session.id),

    /**
     * Removes sessions idle since before `cutoff` that no connection holds, with their transcripts
     * (memories belong to the persona and user, not the session, and stay). `busy` sessions (a chat still
     * under way in them, its connection gone) are left for the next round: their turn would point at deleted rows.
     */
    async expire (cutoff: Date, busy: (sessionId: string) => boolean = () => false): Promise<RemovedTranscripts & { sessions: string[] }> {
      const ids = (await repository.idleSince(cutoff)).filter((id) => !attached.has(id) && !busy(id))
      return { sessions: ids, ...await repository.deleteWithTranscripts(ids) }
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
