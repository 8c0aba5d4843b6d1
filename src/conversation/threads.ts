import type { StoredConversation, StoredMessage, ThreadRepository } from './repository.ts'
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

const transcript = (m: StoredMessage): TranscriptMessage => ({ role: m.role === 'user' ? 'user' : 'persona', content: m.content })

/**
 * Threads in the store with the hot part (counters, summary, recent messages) cached in memory,
 * so a chat turn reads nothing from the database once its thread is warm.
 */
export function createThreadStore (repository: ThreadRepository, window: number) {
  const cache = new Map<string, Thread>()
  // opens under way: callers racing on a cold thread share one object, or they would number turns apart
  const opening = new Map<string, Promise<Thread>>()
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
    const row = await repository.openThread(sessionId, userId, personaId, new Date())
    const recent = await repository.latestMessages(row.id, window)
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
      recent: recent.map(transcript),
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

    /** A conversation of either kind by id: a warm thread from memory, anything else from the store. */
    async byId (id: string): Promise<Thread | StoredConversation | undefined> {
      for (const thread of cache.values()) if (thread.id === id) return thread
      return repository.findConversation(id)
    },

    /** The thread if it exists, without creating it. */
    async find (sessionId: string, personaId: string): Promise<Thread | StoredConversation | undefined> {
      return cache.get(key(sessionId, personaId)) ?? repository.findThread(sessionId, personaId)
    },

    async appendTurn (thread: Thread, turn: TurnRecord): Promise<number> {
      const turnNumber = thread.turnCount + 1
      const at = new Date()
      const base = { turnNumber, createdAt: at }
      await repository.appendTurn(thread.id, [
        { ...base, role: 'user', speakerId: turn.userId, content: turn.user, tokens: 0, processingTime: 0, responseType: null },
        { ...base, role: 'persona', speakerId: turn.speakerId, content: turn.reply, tokens: turn.tokens, processingTime: turn.processingTime, responseType: turn.responseType },
      ], { turnCount: turnNumber, tokens: turn.tokens, at })
      thread.turnCount = turnNumber
      thread.tokensUsed += turn.tokens
      thread.lastActivityAt = at
      thread.recent.push({ role: 'user', content: turn.user }, { role: 'persona', content: turn.reply })
      if (thread.recent.length > window) thread.recent.splice(0, thread.recent.length - window)
      return turnNumber
    },

    /** Messages of turns after `afterTurn` up to and including `throughTurn`, oldest first. */
    async turns (conversationId: string, afterTurn: number, throughTurn: number): Promise<TranscriptMessage[]> {
      return (await repository.messagesBetween(conversationId, afterTurn, throughTurn)).map(transcript)
    },

    /** Saves a summary made at `epoch`, unless the thread was cleared since (or deleted: then nothing is updated). */
    async saveSummary (thread: Thread, summary: string, summarizedTurn: number, epoch = thread.epoch): Promise<void> {
      if (thread.epoch !== epoch) return
      await repository.saveSummary(thread.id, summary, summarizedTurn)
      if (thread.epoch !== epoch) return
      thread.summary = summary
      thread.summarizedTurn = summarizedTurn
    },

    /** A page of the transcript, oldest first: the newest `limit` messages before `beforeTurn`, and whether older ones exist. */
    async page (conversationId: string, limit: number, beforeTurn?: number): Promise<{ messages: StoredMessage[], hasMore: boolean }> {
      const rows = await repository.latestMessages(conversationId, limit + 1, beforeTurn)
      const hasMore = rows.length > limit
      return { messages: hasMore ? rows.slice(1) : rows, hasMore }
    },

    /** Empties a thread; callers hold its conversation lock, so no turn is being written meanwhile. */
    async clear (thread: { id: string, sessionId: string | null, personaId: string }): Promise<number> {
      // the cached object is reset in place: whoever still holds it sees the cleared thread, not a stale copy
      const cached = thread.sessionId === null ? undefined : cache.get(key(thread.sessionId, thread.personaId))
      if (cached) {
        cached.epoch++
        Object.assign(cached, { turnCount: 0, summary: '', summarizedTurn: 0, tokensUsed: 0, recent: [] })
      }
      return repository.clearThread(thread.id)
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
