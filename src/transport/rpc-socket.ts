import type { WebSocket } from 'ws'
import type { RpcConnection, RpcLogger } from '../rpc/context.ts'
import type { Dispatcher } from '../rpc/dispatcher.ts'
import { ErrorCode } from '../rpc/errors.ts'
import { failure } from '../rpc/messages.ts'
import type { SessionService } from '../sessions/service.ts'
import type { UserIdentity } from '../sessions/types.ts'
import type { RuntimeStats } from '../system/stats.ts'
import type { InFlight } from './in-flight.ts'

export interface RpcSocketDeps {
  dispatcher: Dispatcher
  sessions: SessionService
  stats: RuntimeStats
  inFlight: InFlight
  log: RpcLogger
  /** a peer with more than this queued is too slow for optional traffic (event subscriptions) */
  maxBufferedBytes: number
  /** earlier-server stream framing on this connection (RpcConnection.legacyStreamFrames) */
  legacyStreamFrames?: boolean
}

const BINARY_REPLY = JSON.stringify(failure(null, {
  code: ErrorCode.InvalidRequest,
  message: 'Invalid Request: binary frames are not supported, send JSON-RPC as text frames',
  data: { reason: 'invalid_request' },
}))

let connectionCounter = 0

/**
 * Serves the JSON-RPC API on one WebSocket: one session per connection, every message dispatched
 * as it arrives (a slow call never holds up the next one), replies sent in completion order.
 */
export function serveRpcSocket (socket: WebSocket, user: UserIdentity, deps: RpcSocketDeps): RpcConnection {
  const { dispatcher, sessions, stats, inFlight, log, maxBufferedBytes } = deps
  const id = `conn_${++connectionCounter}`
  const closed = new AbortController()
  const send = (text: string) => { if (socket.readyState === socket.OPEN) socket.send(text) }
  const connection: RpcConnection = {
    id,
    user,
    session: sessions.open(user, id),
    signal: closed.signal,
    legacyStreamFrames: deps.legacyStreamFrames ?? false,
    notify (method, params) { send(JSON.stringify({ jsonrpc: '2.0', method, params })) },
    sendText (text) {
      if (socket.readyState !== socket.OPEN || socket.bufferedAmount > maxBufferedBytes) return false
      socket.send(text)
      return true
    },
  }
  stats.connections++
  stats.connectionsTotal++

  const failed = (err: unknown) => { log.error({ err, connection: id }, 'rpc socket failed to reply') }
  const reply = (text: string | undefined) => {
    if (text !== undefined) send(text)
    sessions.touch(connection.session)?.catch(failed)
  }

  socket.on('message', (data, isBinary) => {
    stats.requests++
    if (isBinary) { send(BINARY_REPLY); return }
    const out = dispatcher.handleText(data.toString(), connection)
    // a synchronous method is answered in this tick; for the others the reply is part of the call,
    // so shutdown waits until it is on the wire
    if (out instanceof Promise) inFlight.track(out.then(reply)).catch(failed)
    else reply(out)
  })
  socket.on('error', (err) => { log.debug({ err, connection: id }, 'websocket error') })
  socket.once('close', () => {
    stats.connections--
    closed.abort()
    sessions.release(connection.session)
  })
  return connection
}
