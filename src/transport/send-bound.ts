import type { ServerResponse } from 'node:http'
import type { WebSocket } from 'ws'
import type { RpcLogger } from '../rpc/context.ts'

export interface SendBoundOptions {
  /** the bound: past it the connection's requests are no longer taken */
  maxBytes: number
  /** over the bound for this long, the connection is closed; at once when a lagging one reaches twice the bound */
  graceMs: number
  /** bytes queued for the peer and not yet taken by the kernel */
  buffered: () => number
  /** stop taking the connection's requests */
  pause: () => void
  /** back under the bound: take them again */
  resume: () => void
  /** the peer does not read: close the connection, saying why */
  overflow: (reason: string) => void
  now?: () => number
}

export interface SendBound {
  /** call after every send: false while the connection is over its bound (or closed for it) */
  check (): boolean
  readonly over: boolean
  /** the connection closed: stop watching */
  dispose (): void
}

/**
 * The per-connection send bound of every face (WebSocket JSON-RPC, MCP over WebSocket and HTTP): a peer that
 * does not read its replies must not make the server hold them without end. Past `maxBytes` the connection
 * stops being read (no new requests, so no new replies); if it stays over, or lags on to twice the bound
 * (replies of calls already under way), it is closed.
 */
export function createSendBound ({ maxBytes, graceMs, buffered, pause, resume, overflow, now = Date.now }: SendBoundOptions): SendBound {
  let since: number | undefined
  let timer: NodeJS.Timeout | undefined
  let closed = false

  const stop = () => { if (timer !== undefined) clearInterval(timer); timer = undefined }
  const fail = (reason: string) => {
    closed = true
    stop()
    overflow(reason)
    return false
  }

  const check = (): boolean => {
    if (closed) return false
    const bytes = buffered()
    if (bytes <= maxBytes) {
      if (since !== undefined) { since = undefined; stop(); resume() }
      return true
    }
    if (since === undefined) {
      // a single large reply to a reader may pass the bound for a moment: only a lagging peer meets the hard limit
      since = now()
      pause()
      timer = setInterval(check, Math.max(5, Math.min(50, graceMs / 4)))
      timer.unref()
      return false
    }
    if (bytes > 2 * maxBytes) return fail(`too slow: over ${2 * maxBytes} bytes waiting to be sent`)
    if (now() - since >= graceMs) return fail(`too slow: over ${maxBytes} bytes waiting to be sent for ${graceMs} ms`)
    return false
  }

  return {
    check,
    get over () { return closed || since !== undefined },
    dispose () { closed = true; stop() },
  }
}

export interface BoundLimits { maxBytes: number, graceMs: number }

export interface SocketBoundOptions extends BoundLimits { log: RpcLogger, connection: string }

/** The bound of a WebSocket: closed with 1008 and the reason; `onResume` takes the messages held meanwhile. */
export function boundWebSocket (socket: WebSocket, { log, connection, ...limits }: SocketBoundOptions, onResume: () => void): SendBound {
  const bound = createSendBound({
    ...limits,
    buffered: () => socket.bufferedAmount,
    pause: () => socket.pause(),
    resume: () => { socket.resume(); onResume() },
    // the close frame waits behind what is queued; ws cuts the peer off if the closing handshake never comes
    overflow: (reason) => {
      log.warn({ connection, reason, buffered: socket.bufferedAmount }, 'slow client closed')
      socket.close(1008, reason)
      // read again, so the peer's closing handshake is seen (what else it sends is dropped by the faces)
      socket.resume()
    },
  })
  socket.once('close', () => bound.dispose())
  return bound
}

/**
 * Makes a response write-through for a send bound: the MCP SDK's streams (through @hono/node-server) wait for
 * 'drain', so what a non-reader is owed piles up unseen inside the SDK; written through, it shows in
 * `writableLength`, where the bound sees and limits it. The response counts as one of `open` while it lasts.
 */
export function writeThrough (res: ServerResponse, open: Set<ServerResponse>, bound: SendBound): void {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean
  res.write = ((...args: unknown[]) => {
    write(...args)
    bound.check()
    return true
  }) as typeof res.write
  open.add(res)
  res.once('close', () => { open.delete(res) })
}

/** bytes waiting in a set of responses */
export const pendingBytes = (open: Iterable<ServerResponse>): number => {
  let total = 0
  for (const res of open) total += res.writableLength
  return total
}
