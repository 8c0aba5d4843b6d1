import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { RpcLogger } from '../rpc/context.ts'
import type { ThreadStore } from '../conversation/threads.ts'
import type { SessionService } from '../sessions/service.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import { createSendBound, pendingBytes, writeThrough, type BoundLimits, type SendBound } from '../transport/send-bound.ts'
import { createPersonaSessions, repliesAfterRecording, type PersonaFollow } from './http-persona.ts'
import { FULL, LAGGING, refusal, SESSION_NOT_FOUND, type Refusal } from './http-refusals.ts'
import { initializeParams, replayHandshake } from './http-replay.ts'
import { createSharedSessions } from './http-shared.ts'
import { createUserCap, type CappedSession } from './http-user-cap.ts'
import type { McpSessionParams, McpSessionRepository } from './repository.ts'
import type { McpSession } from './types.ts'

export { SESSION_NOT_FOUND, type Refusal }

export interface HttpSessionsOptions {
  open: (user: UserIdentity) => McpSession
  /** a session with no request under way for this long is closed; its id then gets 404 */
  idleMs: number
  log: RpcLogger
  /** true when no further session may open (the server's connection limit) */
  full?: () => boolean
  /** sessions one user may hold: a new one evicts their oldest idle session, or is refused when none is idle */
  maxPerUser?: number
  /** the send bound of a session, over all its open responses (POST replies and the GET stream) */
  bound?: BoundLimits
  /** where sessions are recorded, so that one this instance does not hold (another's, or its own before a restart) can be taken over */
  store?: McpSessionRepository
  /**
   * other instances serve the same sessions: each request checks the record first (a DELETE, an eviction or
   * expiry elsewhere ends the session here too), and the per-user cap counts the sessions they hold
   */
  shared?: boolean
  /** with a store: tells the other instances that a session's subscriptions or log level changed (its copies there read them again) */
  announce?: (id: string) => void
  /** with a store: the persona sessions, so that every copy of an MCP session serves the one its record names */
  personaSessions?: Pick<SessionService, 'resume' | 'persist'>
  /** the user threads this instance caches (shared: one another instance wrote to is re-read) */
  threads?: Pick<ThreadStore, 'cached' | 'forgetSessions'>
  now?: () => number
}

interface Entry extends CappedSession {
  transport: StreamableHTTPServerTransport
  session: McpSession
  /** its POSTs under way (active counts the GET stream too) */
  calls: number
  /** its user was erased: it takes no more requests, and closes once the calls under way have answered */
  ending: boolean
  /** its responses still being written */
  open: Set<ServerResponse>
  bound?: SendBound
  /** over its send bound: new requests are refused until it catches up */
  lagging: boolean
  forgotten: boolean
  /** its persona session as the record names it */
  persona: PersonaFollow
}

/**
 * The Streamable HTTP sessions: Mcp-Session-Id -> transport. A session belongs to the user who opened it
 * (anyone else gets 404, as if it did not exist), and idle sessions expire so clients re-initialise.
 * One user holds at most `maxPerUser` of them, so abandoned sessions cannot fill the server's connection limit.
 * With a store, each session is also a record, and a request naming one this instance does not hold rebuilds
 * it here (http-replay.ts); the store is read only on such a miss unless `shared`.
 */
export function createHttpSessions ({ open, idleMs, log, full = () => false, maxPerUser = Infinity, bound, store, shared = false, announce, personaSessions, threads, now = Date.now }: HttpSessionsOptions) {
  const table = new Map<string, Entry>()
  const sharedState = store ? createSharedSessions({ store, announce: shared ? announce : undefined, log }) : undefined
  const personas = store && personaSessions ? createPersonaSessions({ store, sessions: personaSessions, shared, threads, log }) : undefined
  /** sessions being taken over from the store, by id and user: concurrent requests share one rebuild */
  const adopting = new Map<string, Promise<Entry | Refusal>>()
  const cutoff = () => new Date(now() - idleMs)
  const dropRecord = async (id: string) => {
    await store?.delete(id).catch((err: unknown) => { log.warn({ err }, 'MCP HTTP session record not deleted (it expires when idle)') })
  }
  const cap = createUserCap({ maxPerUser, table, store, shared, cutoff })
  const idle = (entry: Entry) => entry.active === 0 && now() - entry.lastSeen > idleMs

  const forget = (entry: Entry) => {
    if (entry.forgotten) return
    entry.forgotten = true
    table.delete(entry.transport.sessionId ?? '')
    cap.count(entry.userId, -1)
    entry.bound?.dispose()
  }
  /** `drop`: the session ends for every instance (its record goes), not only for this one */
  const close = async (entry: Entry, drop = false) => {
    forget(entry)
    if (drop && entry.id !== undefined) await dropRecord(entry.id)
    await entry.session.close().catch((err: unknown) => { log.warn({ err }, 'MCP HTTP session did not close cleanly') })
  }

  /** the live session a request names, if it is the caller's: held here, or taken over from the store */
  const find = async (req: IncomingMessage, user: UserIdentity): Promise<Entry | Refusal> => {
    const id = req.headers['mcp-session-id']
    if (typeof id !== 'string') return SESSION_NOT_FOUND
    const entry = table.get(id)
    if (entry === undefined) return await adopt(id, user)
    if (entry.userId !== user.id || entry.ending) return SESSION_NOT_FOUND
    if (shared && store) {
      // its use elsewhere keeps it alive; a DELETE, an eviction or expiry elsewhere ends this copy too,
      // and a persona switch or session.resume elsewhere is what this copy serves from now on
      const stored = await store.touchAndRead(id, new Date(now()), cutoff())
      if (stored === null) { await close(entry); return SESSION_NOT_FOUND }
      await personas?.follow(id, entry.session.connection, entry.persona, stored)
      return entry
    }
    if (idle(entry)) { await close(entry, true); return SESSION_NOT_FOUND }
    return entry
  }

  /** a session and its transport, not yet initialised; `initialized` runs before the initialize request is answered */
  const create = (user: UserIdentity, generate: () => string, initialized?: (id: string) => Promise<void>): Entry => {
    const session = open(user)
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: generate,
      onsessioninitialized: async (id) => { entry.id = id; table.set(id, entry); await initialized?.(id) },
      // a DELETE ends the session everywhere: the record goes before the client hears 200
      onsessionclosed: async (id) => { await dropRecord(id) },
    })
    const entry: Entry = { transport, session, userId: user.id, lastSeen: now(), active: 0, calls: 0, ending: false, open: new Set(), lagging: false, forgotten: false, persona: {} }
    if (bound) entry.bound = watch(entry, bound)
    sharedState?.watch(() => entry.id, session.sharing)
    if (personas) {
      personas.watch(() => entry.id, session.connection, entry.persona)
      repliesAfterRecording(transport, entry.persona)
    }
    // set before connect: the SDK chains its own handler after this one (DELETE and close() both end here)
    transport.onclose = () => { forget(entry) }
    return entry
  }

  /** rebuilds here a session another instance (or this one before a restart) initialised, if it is the caller's and not idle */
  const rebuild = async (id: string, user: UserIdentity): Promise<Entry | Refusal> => {
    const record = await store!.find(id)
    if (record === null || record.userId !== user.id || record.lastSeenAt.getTime() < cutoff().getTime()) return SESSION_NOT_FOUND
    if (full()) return FULL
    cap.count(user.id, 1)
    const entry = create(user, () => id)
    try {
      await entry.session.server.connect(entry.transport)
      await replayHandshake(entry.transport, record)
      await entry.session.sharing.apply(record)
      await personas?.rebuilt(id, entry.session.connection, entry.persona, record.personaSessionId)
    } catch (err) {
      log.warn({ err, user: user.id }, 'MCP HTTP session could not be taken over: the client re-initialises')
      await close(entry)
      return SESSION_NOT_FOUND
    }
    await store!.touch(id, new Date(now()), cutoff())
    log.debug({ connection: entry.session.connection.id, user: user.id }, 'MCP HTTP session taken over from the store')
    return entry
  }

  const adopt = async (id: string, user: UserIdentity): Promise<Entry | Refusal> => {
    if (!store) return SESSION_NOT_FOUND
    const key = `${id}\n${user.id}`
    let pending = adopting.get(key)
    if (pending === undefined) {
      pending = rebuild(id, user).finally(() => { adopting.delete(key) })
      adopting.set(key, pending)
    }
    return await pending
  }

  const saveRecord = async (id: string, user: UserIdentity, params: McpSessionParams, entry: Entry) => {
    if (!store) return
    const connection = entry.session.connection
    const personaSessionId = personas ? await personas.initial(connection) : null
    entry.persona.seen = { personaSessionId, currentPersonaId: connection.session.personaId, turnCount: undefined }
    const at = new Date(now())
    // a session that could not be recorded still works here; only another instance would not know it
    await store.save({ id, userId: user.id, ...params, personaSessionId, subscriptions: [], logLevel: null, createdAt: at, lastSeenAt: at })
      .catch((err: unknown) => { log.warn({ err }, 'MCP HTTP session not recorded: only this instance can serve it') })
  }

  /** a request counts as activity from start to end: a long SSE stream is not idleness */
  const serve = async (entry: Entry, req: IncomingMessage, res: ServerResponse, body?: unknown) => {
    entry.active++
    const call = req.method === 'POST'
    if (call) entry.calls++
    if (entry.bound) writeThrough(res, entry.open, entry.bound)
    res.once('close', () => {
      entry.active--
      entry.lastSeen = now()
      if (call && --entry.calls === 0 && entry.ending) void close(entry)
    })
    await entry.transport.handleRequest(req, res, body)
  }

  const watch = (entry: Entry, limits: BoundLimits): SendBound => createSendBound({
    ...limits,
    buffered: () => pendingBytes(entry.open),
    pause: () => { entry.lagging = true },
    resume: () => { entry.lagging = false },
    overflow: (reason) => {
      log.warn({ connection: entry.session.connection.id, reason }, 'slow MCP HTTP client: session closed')
      for (const res of entry.open) res.destroy()
      void close(entry, true)
    },
  })

  const start = async (req: IncomingMessage, res: ServerResponse, body: unknown, user: UserIdentity): Promise<Refusal | undefined> => {
    const params = initializeParams(body)
    if (params === undefined) return refusal(400, -32000, 'Bad Request: Mcp-Session-Id header is required (send initialize first)')
    const victim = await cap.victimFor(user.id)
    if (victim === null) {
      return refusal(429, -32000, `Too many MCP sessions: this user holds ${maxPerUser} (mcp.maxSessionsPerUser), none idle; end one with DELETE /mcp or retry later`,
        { reason: 'too_many_sessions', max_sessions: maxPerUser })
    }
    // the user's own idle session makes room: the server's connection limit is no reason to refuse then
    if (!victim && full()) return FULL
    cap.count(user.id, 1)
    if (victim?.entry) {
      log.debug({ connection: victim.entry.session.connection.id, user: user.id }, 'MCP HTTP session evicted by a newer one of its user')
      await close(victim.entry, true)
    } else if (victim?.id !== undefined) await dropRecord(victim.id)
    const entry = create(user, randomUUID, (id) => saveRecord(id, user, params, entry))
    try {
      await entry.session.server.connect(entry.transport)
      await serve(entry, req, res, body)
    } finally {
      // an initialize the transport refused (bad headers, bad version) leaves nothing behind
      if (entry.transport.sessionId === undefined) await close(entry)
    }
    return undefined
  }

  return {
    /** POST: messages of a session, or an initialize that opens one. */
    async post (req: IncomingMessage, res: ServerResponse, body: unknown, user: UserIdentity): Promise<Refusal | undefined> {
      if (req.headers['mcp-session-id'] === undefined) return start(req, res, body, user)
      const entry = await find(req, user)
      if (!('transport' in entry)) return entry
      if (entry.lagging) return LAGGING
      await serve(entry, req, res, body)
      return undefined
    },

    /** GET (the server-to-client SSE stream) and DELETE (end the session). */
    async other (req: IncomingMessage, res: ServerResponse, user: UserIdentity): Promise<Refusal | undefined> {
      if (req.headers['mcp-session-id'] === undefined) return refusal(400, -32000, 'Bad Request: Mcp-Session-Id header is required')
      const entry = await find(req, user)
      if (!('transport' in entry)) return entry
      if (entry.lagging && req.method === 'GET') return LAGGING
      await serve(entry, req, res)
      return undefined
    },

    /**
     * Closes the sessions idle here for longer than idleMs (shared: this copy only, the session may be in use
     * elsewhere), brings the records of the others up to date (a long SSE stream is use too), and deletes
     * the records idle everywhere.
     */
    async sweep (): Promise<number> {
      let expired = 0
      for (const entry of [...table.values()]) {
        if (idle(entry)) { await close(entry, !shared); expired++; continue }
        if (!store || entry.id === undefined) continue
        const alive = await store.touch(entry.id, new Date(entry.active > 0 ? now() : entry.lastSeen), cutoff())
          .catch((err: unknown) => { log.warn({ err }, 'MCP HTTP session record not touched'); return true })
        if (!alive && shared) await close(entry)
      }
      const removed = store ? await store.deleteIdleBefore(cutoff()).catch((err: unknown) => { log.warn({ err }, 'idle MCP HTTP session records not deleted'); return 0 }) : 0
      if (expired + removed > 0) log.debug({ expired, removed }, 'idle MCP HTTP sessions closed')
      return expired
    },

    /** Shutdown: open SSE streams would otherwise keep the HTTP server from closing. The records stay: another instance (or this one, restarted) takes the sessions over. */
    async closeAll (): Promise<void> {
      await Promise.all([...table.values()].map((entry) => close(entry)))
    },

    /**
     * The user's data was erased (their records with it): the sessions they hold here end, each once its
     * calls under way have answered (the erase itself may be one). How many.
     */
    async closeUser (userId: string): Promise<number> {
      const theirs = [...table.values()].filter((entry) => entry.userId === userId && !entry.ending)
      for (const entry of theirs) entry.ending = true
      await Promise.all(theirs.filter((entry) => entry.calls === 0).map((entry) => close(entry)))
      return theirs.length
    },

    /** Another instance changed these sessions' subscriptions or log level (all: announcements may have been lost): the copies here take them. */
    async reread (ids?: string[]): Promise<void> {
      await sharedState?.reread(ids ?? [...table.keys()], (id) => table.get(id)?.session.sharing)
    },

    get size (): number { return table.size },
  }
}

export type HttpSessions = ReturnType<typeof createHttpSessions>
