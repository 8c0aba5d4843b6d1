import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { RpcLogger } from '../rpc/context.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import { createSendBound, pendingBytes, writeThrough, type BoundLimits, type SendBound } from '../transport/send-bound.ts'
import type { McpSession } from './types.ts'

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
  now?: () => number
}

/** A refusal the caller sends itself, in the SDK's own wording; undefined means the transport answered. */
export interface Refusal { status: number, body: { jsonrpc: '2.0', error: { code: number, message: string, data?: Record<string, unknown> }, id: null } }

const refusal = (status: number, code: number, message: string, data?: Record<string, unknown>): Refusal =>
  ({ status, body: { jsonrpc: '2.0', error: { code, message, ...(data && { data }) }, id: null } })
export const SESSION_NOT_FOUND = refusal(404, -32001, 'Session not found')
const LAGGING = refusal(503, -32000, 'Session too far behind: more than server.maxBufferedBytes of its responses are unread; read its open streams first',
  { reason: 'slow_client' })

interface Entry {
  transport: StreamableHTTPServerTransport
  session: McpSession
  userId: string
  lastSeen: number
  active: number
  /** its responses still being written */
  open: Set<ServerResponse>
  bound?: SendBound
  /** over its send bound: new requests are refused until it catches up */
  lagging: boolean
  forgotten: boolean
}

/**
 * The Streamable HTTP sessions: Mcp-Session-Id -> transport. A session belongs to the user who opened it
 * (anyone else gets 404, as if it did not exist), and idle sessions expire so clients re-initialise.
 * One user holds at most `maxPerUser` of them, so abandoned sessions cannot fill the server's connection limit.
 */
export function createHttpSessions ({ open, idleMs, log, full = () => false, maxPerUser = Infinity, bound, now = Date.now }: HttpSessionsOptions) {
  const table = new Map<string, Entry>()
  /** sessions per user, those still initialising included */
  const held = new Map<string, number>()
  const idle = (entry: Entry) => entry.active === 0 && now() - entry.lastSeen > idleMs
  const count = (userId: string, by: number) => {
    const n = (held.get(userId) ?? 0) + by
    if (n > 0) held.set(userId, n)
    else held.delete(userId)
  }

  const forget = (entry: Entry) => {
    if (entry.forgotten) return
    entry.forgotten = true
    table.delete(entry.transport.sessionId ?? '')
    count(entry.userId, -1)
    entry.bound?.dispose()
  }
  const close = async (entry: Entry) => {
    forget(entry)
    await entry.session.close().catch((err: unknown) => { log.warn({ err }, 'MCP HTTP session did not close cleanly') })
  }

  /** the user's session that has waited longest with no request under way */
  const oldestIdle = (userId: string): Entry | undefined => {
    let oldest: Entry | undefined
    for (const entry of table.values()) {
      if (entry.userId === userId && entry.active === 0 && (oldest === undefined || entry.lastSeen < oldest.lastSeen)) oldest = entry
    }
    return oldest
  }

  /** the live session a request names, if it is the caller's */
  const find = async (req: IncomingMessage, user: UserIdentity): Promise<Entry | undefined> => {
    const id = req.headers['mcp-session-id']
    const entry = typeof id === 'string' ? table.get(id) : undefined
    if (!entry || entry.userId !== user.id) return undefined
    if (idle(entry)) { await close(entry); return undefined }
    return entry
  }

  /** a request counts as activity from start to end: a long SSE stream is not idleness */
  const serve = async (entry: Entry, req: IncomingMessage, res: ServerResponse, body?: unknown) => {
    entry.active++
    if (entry.bound) writeThrough(res, entry.open, entry.bound)
    res.once('close', () => { entry.active--; entry.lastSeen = now() })
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
      void close(entry)
    },
  })

  const start = async (req: IncomingMessage, res: ServerResponse, body: unknown, user: UserIdentity): Promise<Refusal | undefined> => {
    const initializing = Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body)
    if (!initializing) return refusal(400, -32000, 'Bad Request: Mcp-Session-Id header is required (send initialize first)')
    const victim = (held.get(user.id) ?? 0) >= maxPerUser ? oldestIdle(user.id) : undefined
    if ((held.get(user.id) ?? 0) >= maxPerUser && !victim) {
      return refusal(429, -32000, `Too many MCP sessions: this user holds ${maxPerUser} (mcp.maxSessionsPerUser), none idle; end one with DELETE /mcp or retry later`,
        { reason: 'too_many_sessions', max_sessions: maxPerUser })
    }
    // the user's own idle session makes room: the server's connection limit is no reason to refuse then
    if (!victim && full()) return refusal(503, -32000, 'Server at its connection limit, try again later')
    count(user.id, 1)
    if (victim) {
      log.debug({ connection: victim.session.connection.id, user: user.id }, 'MCP HTTP session evicted by a newer one of its user')
      await close(victim)
    }
    const session = open(user)
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized: (id) => { table.set(id, entry) } })
    const entry: Entry = { transport, session, userId: user.id, lastSeen: now(), active: 0, open: new Set(), lagging: false, forgotten: false }
    if (bound) entry.bound = watch(entry, bound)
    // set before connect: the SDK chains its own handler after this one (DELETE and close() both end here)
    transport.onclose = () => { forget(entry) }
    try {
      await session.server.connect(transport)
      await serve(entry, req, res, body)
    } finally {
      // an initialize the transport refused (bad headers, bad version) leaves nothing behind
      if (transport.sessionId === undefined) await close(entry)
    }
    return undefined
  }

  return {
    /** POST: messages of a session, or an initialize that opens one. */
    async post (req: IncomingMessage, res: ServerResponse, body: unknown, user: UserIdentity): Promise<Refusal | undefined> {
      if (req.headers['mcp-session-id'] === undefined) return start(req, res, body, user)
      const entry = await find(req, user)
      if (!entry) return SESSION_NOT_FOUND
      if (entry.lagging) return LAGGING
      await serve(entry, req, res, body)
      return undefined
    },

    /** GET (the server-to-client SSE stream) and DELETE (end the session). */
    async other (req: IncomingMessage, res: ServerResponse, user: UserIdentity): Promise<Refusal | undefined> {
      if (req.headers['mcp-session-id'] === undefined) return refusal(400, -32000, 'Bad Request: Mcp-Session-Id header is required')
      const entry = await find(req, user)
      if (!entry) return SESSION_NOT_FOUND
      if (entry.lagging && req.method === 'GET') return LAGGING
      await serve(entry, req, res)
      return undefined
    },

    /** Closes the sessions idle for longer than idleMs. */
    async sweep (): Promise<number> {
      const expired = [...table.values()].filter(idle)
      for (const entry of expired) await close(entry)
      if (expired.length > 0) log.debug({ expired: expired.length }, 'idle MCP HTTP sessions closed')
      return expired.length
    },

    /** Shutdown: open SSE streams would otherwise keep the HTTP server from closing. */
    async closeAll (): Promise<void> {
      await Promise.all([...table.values()].map(close))
    },

    get size (): number { return table.size },
  }
}

export type HttpSessions = ReturnType<typeof createHttpSessions>
