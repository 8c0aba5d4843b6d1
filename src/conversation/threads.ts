import type { StoredConversation, StoredMessage, ThreadRepository } from './repository.ts'
import type { TranscriptMessage } from './prompt.ts'

/** A message as a thread keeps it: what the prompt needs and what conversation.history answers with. */
export type ThreadMessage = StoredMessage & TranscriptMessage

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
  recent: ThreadMessage[]
  /** all the thread's messages: whether a page from `recent` has older ones before it */
  messageCount: number
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

/** A page of a transcript, oldest first, and whether older messages exist. */
export interface TranscriptPage { messages: StoredMessage[], hasMore: boolean }

const MAX_CACHED_THREADS = 2000

const transcript = (m: StoredMessage): ThreadMessage => ({ ...m, role: m.role === 'user' ? 'user' : 'persona' })

/**
 * Threads in the store with the hot part (counters, summary, recent messages) cached in memory,
 * so a chat turn reads nothing from the database once its thread is warm.
 */
export function createThreadStore (repository: ThreadRepository, window: number) {
  const cache = new Map<string, Thread>()
  // loads under way: callers racing on a cold thread share one object, or they would number turns apart
  const opening = new Map<string, Promise<Thread | undefined>>()
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

  async function warm (row: StoredConversation, sessionId: string, userId: string): Promise<Thread> {
    const [recent, messageCount] = await Promise.all([repository.latestMessages(row.id, window), repository.countMessages(row.id)])
    return remember({
      id: row.id,
      sessionId,
      userId,
      personaId: row.personaId,
      turnCount: row.turnCount,
      summary: row.summary,
      summarizedTurn: row.summarizedTurn,
      tokensUsed: row.tokensUsed,
      startedAt: row.startedAt,
      lastActivityAt: row.lastActivityAt,
      recent: recent.map(transcript),
      messageCount,
      epoch: 0,
    })
  }

  /** The thread in memory, loaded once however many callers ask for it meanwhile. */
  function once (k: string, loader: () => Promise<Thread | undefined>): Promise<Thread | undefined> {
    let pending = opening.get(k)
    if (!pending) {
      pending = loader().finally(() => opening.delete(k))
      opening.set(k, pending)
    }
    return pending
  }

  return {
    key,

    /** The session's thread with the persona, created if new. */
    async open (sessionId: string, userId: string, personaId: string): Promise<Thread> {
      const k = key(sessionId, personaId)
      const cached = cache.get(k)
      if (cached) return remember(cached)
      const thread = await once(k, async () => warm(await repository.openThread(sessionId, userId, personaId, new Date()), sessionId, userId))
      // a find that raced us found no row, and we made one: open again
      return thread ?? this.open(sessionId, userId, personaId)
    },

    /** A conversation of either kind by id: a warm thread from memory, anything else from the store. */
    async byId (id: string): Promise<Thread | StoredConversation | undefined> {
      for (const thread of cache.values()) if (thread.id === id) return thread
      return repository.findConversation(id)
    },

    /** The thread if it exists, without creating it (kept in memory from then on: history reads come again). */
    async find (sessionId: string, personaId: string): Promise<Thread | undefined> {
      const k = key(sessionId, personaId)
      const cached = cache.get(k)
      if (cached) return cached
      return once(k, async () => {
        const row = await repository.findThread(sessionId, personaId)
        return row && warm(row, sessionId, row.userId ?? '')
      })
    },

    async appendTurn (thread: Thread, turn: TurnRecord): Promise<number> {
      const turnNumber = thread.turnCount + 1
      const at = new Date()
      const base = { turnNumber, createdAt: at }
      const messages: ThreadMessage[] = [
        { ...base, role: 'user', speakerId: turn.userId, content: turn.user, tokens: 0, processingTime: 0, responseType: null },
        { ...base, role: 'persona', speakerId: turn.speakerId, content: turn.reply, tokens: turn.tokens, processingTime: turn.processingTime, responseType: turn.responseType },
      ]
      await repository.appendTurn(thread.id, messages, { turnCount: turnNumber, tokens: turn.tokens, at })
      thread.turnCount = turnNumber
      thread.tokensUsed += turn.tokens
      thread.lastActivityAt = at
      thread.messageCount += messages.length
      thread.recent.push(...messages)
      if (thread.recent.length > window) thread.recent.splice(0, thread.recent.length - window)
      return turnNumber
    },

    /**
     * The persona's opening line of a new thread (a card's greeting): turn 0, before the user's first
     * message, so the transcript and the prompt both begin with it; summaries start after it.
     */
    async appendOpening (thread: Thread, speakerId: string, text: string): Promise<void> {
      const at = new Date()
      const message: ThreadMessage = { turnNumber: 0, createdAt: at, role: 'persona', speakerId, content: text, tokens: 0, processingTime: 0, responseType: 'greeting' }
      await repository.appendOpening(thread.id, message)
      thread.messageCount += 1
      thread.recent.push(message)
      if (thread.recent.length > window) thread.recent.splice(0, thread.recent.length - window)
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

    /** The thread if it is in memory now. */
    cached: (sessionId: string, personaId: string): Thread | undefined => cache.get(key(sessionId, personaId)),

    /** The newest page from memory, when the recent messages hold it (see page). */
    recentPage (thread: Thread, limit: number, beforeTurn?: number): TranscriptPage | undefined {
      const wanted = Math.min(limit, thread.messageCount)
      if (beforeTurn !== undefined || thread.recent.length < wanted) return undefined
      return { messages: thread.recent.slice(thread.recent.length - wanted), hasMore: thread.messageCount > limit }
    },

    /**
     * A page of the transcript, oldest first: the newest `limit` messages before `beforeTurn`, and whether
     * older ones exist. The newest page comes from memory when the recent messages hold it.
     */
    async page (thread: Thread, limit: number, beforeTurn?: number): Promise<TranscriptPage> {
      const recent = this.recentPage(thread, limit, beforeTurn)
      if (recent) return recent
      const rows = await repository.latestMessages(thread.id, limit + 1, beforeTurn)
      const hasMore = rows.length > limit
      return { messages: hasMore ? rows.slice(1) : rows, hasMore }
    },

    /** Empties a thread; callers hold its conversation lock, so no turn is being written meanwhile. */
    async clear (thread: { id: string, sessionId: string | null, personaId: string }): Promise<number> {
      // the cached object is reset in place: whoever still holds it sees the cleared thread, not a stale copy
      const cached = thread.sessionId === null ? undefined : cache.get(key(thread.sessionId, thread.personaId))
      if (cached) {
        cached.epoch++
        Object.assign(cached, { turnCount: 0, summary: '', summarizedTurn: 0, tokensUsed: 0, recent: [], messageCount: 0 })
      }
      return repository.clearThread(thread.id)
    },

    /** Drops the cached thread of a session with a persona (another instance wrote a turn to it). */
    forget (sessionId: string, personaId: string): void {
      const k = key(sessionId, personaId)
      const cached = cache.get(k)
      if (cached) forget(k, cached)
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
