import type { ServerNotification } from '@modelcontextprotocol/sdk/types.js'
import type { RpcConnection, RpcLogger } from '../rpc/context.ts'
import type { SessionService } from '../sessions/service.ts'
import type { SessionState, UserIdentity } from '../rpc/caller.ts'
import type { RuntimeStats } from '../system/stats.ts'

export type McpTransportKind = 'http' | 'websocket' | 'stdio'
export type ConnectionStats = Pick<RuntimeStats, 'connections' | 'connectionsTotal' | 'requests'>

let counter = 0
/** who hears that an MCP connection's session was replaced (session.resume): http-sessions.ts records it */
const replacedListeners = new WeakMap<RpcConnection, (session: SessionState) => void>()
/** the JSON-RPC stream's own framing: the MCP request and its response carry that already */
const BOOKKEEPING = new Set(['stream_start', 'stream_complete', 'stream_cancelled', 'stream_error'])

/**
 * The RpcConnection of one MCP session, built like a WebSocket's (src/transport/rpc-socket.ts): its own
 * session, hence its own current persona, and its user. Outside a call MCP has no channel for our
 * notifications, so `notify` drops them and `sendText` (events.subscribe deliveries) reports "not sent".
 */
export function openConnection (user: UserIdentity, sessions: SessionService, stats: ConnectionStats | undefined, kind: McpTransportKind) {
  const id = `mcp_${kind}_${++counter}`
  const closed = new AbortController()
  let session = sessions.open(user, id)
  const connection: RpcConnection = {
    id,
    user,
    get session () { return session },
    set session (next) {
      const replaced = next.id !== session.id
      session = next
      if (replaced) replacedListeners.get(connection)?.(next)
    },
    signal: closed.signal,
    notify () {},
    sendText: () => false,
  }
  if (stats) { stats.connections++; stats.connectionsTotal++ }
  let released = false
  const release = () => {
    if (released) return
    released = true
    if (stats) stats.connections--
    closed.abort()
    sessions.release(connection.session)
  }
  return { connection, release }
}

/** `listener` hears each later replacement of the connection's session (one listener per connection). */
export function onSessionReplaced (connection: RpcConnection, listener: (session: SessionState) => void): void {
  replacedListeners.set(connection, listener)
}

/**
 * Makes the connection serve the stored session `sessionId` (the one another instance's copy of the same
 * MCP session serves), as session.resume would; the listener does not hear it.
 */
export async function adoptSession (connection: RpcConnection, sessions: Pick<SessionService, 'resume'>, sessionId: string): Promise<void> {
  const listener = replacedListeners.get(connection)
  replacedListeners.delete(connection)
  try {
    connection.session = await sessions.resume(sessionId, connection.user, connection.session, connection.id)
  } finally {
    if (listener) replacedListeners.set(connection, listener)
  }
}

export interface CallExtra {
  signal: AbortSignal
  progressToken?: string | number
  sendNotification: (notification: ServerNotification) => Promise<void>
}

/**
 * The connection as one tools/call sees it: the same session (session.resume replaces it for the whole MCP
 * session), aborted by notifications/cancelled too, and stream events turned into notifications/progress
 * when the client asked for progress; MCP clients do not know our `stream.event`.
 */
export function forCall (base: RpcConnection, extra: CallExtra, log: RpcLogger): RpcConnection {
  const { progressToken } = extra
  let progress = 0
  return {
    id: base.id,
    user: base.user,
    get session () { return base.session },
    set session (session) { base.session = session },
    signal: AbortSignal.any([base.signal, extra.signal]),
    notify (method, params) {
      if (progressToken === undefined || method !== 'stream.event' || BOOKKEEPING.has(String(params.event_type))) return
      const message = typeof params.chunk === 'string' ? params.chunk : String(params.event_type ?? method)
      extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: ++progress, message } })
        .catch((err: unknown) => { log.debug({ err, connection: base.id }, 'progress notification not delivered') })
    },
    sendText: () => false,
  }
}
