import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { RpcLogger } from '../rpc/context.ts'
import type { UserIdentity } from '../sessions/types.ts'
import type { McpSession } from './server.ts'

export interface HttpSessionsOptions {
  open: (user: UserIdentity) => McpSession
  /** a session with no request under way for this long is closed; its id then gets 404 */
  idleMs: number
  log: RpcLogger
  /** true when no further session may open (the server's connection limit) */
  full?: () => boolean
  now?: () => number
}

/** A refusal the caller sends itself, in the SDK's own wording; undefined means the transport answered. */
export interface Refusal { status: number, body: { jsonrpc: '2.0', error: { code: number, message: string }, id: null } }

const refusal = (status: number, code: number, message: string): Refusal => ({ status, body: { jsonrpc: '2.0', error: { code, message }, id: null } })
export const SESSION_NOT_FOUND = refusal(404, -32001, 'Session not found')

interface Entry { transport: StreamableHTTPServerTransport, session: McpSession, userId: string, lastSeen: number, active: number }

/**
 * The Streamable HTTP sessions: Mcp-Session-Id -> transport. A session belongs to the user who opened it
 * (anyone else gets 404, as if it did not exist), and idle sessions expire so clients re-initialise.
 */
export function createHttpSessions ({ open, idleMs, log, full = () => false, now = Date.now }: HttpSessionsOptions) {
  const table = new Map<string, Entry>()
  const idle = (entry: Entry) => entry.active === 0 && now() - entry.lastSeen > idleMs

  const close = async (entry: Entry) => {
    table.delete(entry.transport.sessionId ?? '')
    await entry.session.close().catch((err: unknown) => { log.warn({ err }, 'MCP HTTP session did not close cleanly') })
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
    res.once('close', () => { entry.active--; entry.lastSeen = now() })
    await entry.transport.handleRequest(req, res, body)
  }

  const start = async (req: IncomingMessage, res: ServerResponse, body: unknown, user: UserIdentity): Promise<Refusal | undefined> => {
    const initializing = Array.isArray(body) ? body.some((m) => isInitializeRequest(m)) : isInitializeRequest(body)
    if (!initializing) return refusal(400, -32000, 'Bad Request: Mcp-Session-Id header is required (send initialize first)')
    if (full()) return refusal(503, -32000, 'Server at its connection limit, try again later')
    const session = open(user)
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized: (id) => { table.set(id, entry) } })
    const entry: Entry = { transport, session, userId: user.id, lastSeen: now(), active: 0 }
    // set before connect: the SDK chains its own handler after this one (DELETE and close() both end here)
    transport.onclose = () => { table.delete(transport.sessionId ?? '') }
    await session.server.connect(transport)
    await serve(entry, req, res, body)
    // an initialize the transport refused (bad headers, bad version) leaves nothing behind
    if (transport.sessionId === undefined) await session.close()
    return undefined
  }

  return {
    /** POST: messages of a session, or an initialize that opens one. */
    async post (req: IncomingMessage, res: ServerResponse, body: unknown, user: UserIdentity): Promise<Refusal | undefined> {
      if (req.headers['mcp-session-id'] === undefined) return start(req, res, body, user)
      const entry = await find(req, user)
      if (!entry) return SESSION_NOT_FOUND
      await serve(entry, req, res, body)
      return undefined
    },

    /** GET (the server-to-client SSE stream) and DELETE (end the session). */
    async other (req: IncomingMessage, res: ServerResponse, user: UserIdentity): Promise<Refusal | undefined> {
      if (req.headers['mcp-session-id'] === undefined) return refusal(400, -32000, 'Bad Request: Mcp-Session-Id header is required')
      const entry = await find(req, user)
      if (!entry) return SESSION_NOT_FOUND
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
