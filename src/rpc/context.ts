import type { SessionState, UserIdentity } from './caller.ts'

/** The minimal logger the RPC layer needs; pino loggers satisfy it. */
export interface RpcLogger {
  debug (obj: object, msg?: string): void
  info (obj: object, msg?: string): void
  warn (obj: object, msg?: string): void
  error (obj: object, msg?: string): void
}

/** A client connection (WebSocket, MCP session, ...) as the method handlers see it. */
export interface RpcConnection {
  readonly id: string
  readonly user: UserIdentity
  /** replaced by session.resume, so handlers read it through the connection each time */
  session: SessionState
  /** aborted when the connection closes: long calls (streaming) stop with it */
  readonly signal: AbortSignal
  /** sends a JSON-RPC notification to this peer (streams, events) */
  notify (method: string, params: Record<string, unknown>): void
  /** sends an already serialised message; false (and nothing sent) when the peer is too far behind */
  sendText (text: string): boolean
  /**
   * streams framed the earlier server's way (each event a response with the request id, no notifications):
   * only for old clients that cannot change (compat.legacyStreamFrames, ?compat=legacy); absent means false
   */
  readonly legacyStreamFrames?: boolean
}

/** What one method call receives besides its params. */
export interface RpcContext {
  readonly connection: RpcConnection
  /** the request id; undefined for a notification */
  readonly requestId: string | number | null | undefined
  readonly log: RpcLogger
}
