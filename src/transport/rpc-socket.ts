import type { RawData, WebSocket } from 'ws'
import type { RpcConnection, RpcLogger } from '../rpc/context.ts'
import type { Dispatcher } from '../rpc/dispatcher.ts'
import { ErrorCode } from '../rpc/errors.ts'
import { failure } from '../rpc/messages.ts'
import type { SessionService } from '../sessions/service.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import type { RuntimeStats } from '../system/stats.ts'
import type { InFlight } from './in-flight.ts'
import { boundWebSocket } from './send-bound.ts'

export interface RpcSocketDeps {
  dispatcher: Dispatcher
  sessions: SessionService
  stats: RuntimeStats
  inFlight: InFlight
  log: RpcLogger
  /** the send bound: past it events are dropped and requests no longer read; a peer that stays over is closed (1008) */
  maxBufferedBytes: number
  /** how long a peer may stay over the bound */
  slowClientGraceMs: number
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
  // messages ws had already read when the socket paused: bounded by one read, answered once the peer catches up
  const held: Array<[RawData, boolean]> = []
  const bound = boundWebSocket(socket, { maxBytes: maxBufferedBytes, graceMs: deps.slowClientGraceMs, log, connection: id }, () => {
    while (held.length > 0 && !bound.over) receive(...(held.shift() as [RawData, boolean]))
  })
  const send = (text: string) => {
    if (socket.readyState !== socket.OPEN) return
    socket.send(text)
    bound.check()
  }
  const connection: RpcConnection = {
    id,
    user,
    session: sessions.open(user, id),
    signal: closed.signal,
    legacyStreamFrames: deps.legacyStreamFrames ?? false,
    notify (method, params) { send(JSON.stringify({ jsonrpc: '2.0', method, params })) },
    sendText (text) {
      if (socket.readyState !== socket.OPEN || socket.bufferedAmount > maxBufferedBytes) return false
      send(text)
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

  function receive (data: RawData, isBinary: boolean) {
    stats.requests++
    if (isBinary) { send(BINARY_REPLY); return }
    const out = dispatcher.handleText(data.toString(), connection)
    // a synchronous method is answered in this tick; for the others the reply is part of the call,
    // so shutdown waits until it is on the wire
    if (out instanceof Promise) inFlight.track(out.then(reply)).catch(failed)
    else reply(out)
  }
  socket.on('message', (data, isBinary) => {
    // closing (the peer was too slow): what it still sends is not answered
    if (socket.readyState !== socket.OPEN) return
    if (bound.over) held.push([data, isBinary])
    else receive(data, isBinary)
  })
  socket.on('error', (err) => { log.debug({ err, connection: id }, 'websocket error') })
  socket.once('close', () => {
    stats.connections--
    held.length = 0
    closed.abort()
    sessions.release(connection.session)
  })
  return connection
}
