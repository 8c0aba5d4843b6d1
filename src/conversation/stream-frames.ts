import type { RpcContext } from '../rpc/context.ts'
import { answered } from '../rpc/answered.ts'
import { ErrorCode, RpcError, toErrorObject } from '../rpc/errors.ts'

// The events of one stream (persona.chat_stream, conversation.run) in the framing of its connection.
//
// JSON-RPC 2.0 (the default): each event is a `stream.event` notification carrying the request id, and
// the request then gets one final response, which also carries the earlier `stream_complete` fields.
// Legacy (compat.legacyStreamFrames, ?compat=legacy): each event is a response with the request id,
// `{jsonrpc, id, result: {event_type, stream_id, timestamp, ...promoted, data}}`, as the earlier server
// sent them; the final response is the stream_complete frame itself, and a failed stream ends with the
// earlier terminal frame (stream_cancelled, or stream_error with the error beside its result), after
// which nothing more is sent for the request.

/** what the earlier stream_complete frame carried */
export interface StreamCompletion<D extends object = Record<string, unknown>> {
  fullResponse: string
  chunkCount: number
  tokensUsed: number
  /** seconds */
  processingTime: number
  /** more for the `data` object (persona_name, ...) */
  data: D
}

/** the final response's stream_complete fields (schemas.ts StreamComplete) */
export interface CompleteFields<D extends object = Record<string, unknown>> {
  event_type: 'stream_complete'
  stream_id: string
  timestamp: string
  full_response: string
  chunk_count: number
  tokens_used: number
  processing_time: number
  data: D & { full_response: string, chunk_count: number, processing_time: number, response_length: number, tokens_used: number }
}

export function createStreamFrames (ctx: RpcContext, streamId: string) {
  const { connection } = ctx
  const legacy = connection.legacyStreamFrames === true
  // the earlier server gave a request without an id a fresh one; the stream id serves
  const frameId = ctx.requestId ?? streamId
  const frame = (eventType: string, promoted: Record<string, unknown>, data?: Record<string, unknown>) => ({
    event_type: eventType, stream_id: streamId, timestamp: new Date().toISOString(), ...promoted, ...(data === undefined ? {} : { data }),
  })
  // a peer too far behind to take a frame is closed by the connection's send bound, which stops the stream
  const sendLegacy = (message: Record<string, unknown>) => { connection.sendText(JSON.stringify({ jsonrpc: '2.0', id: frameId, ...message })) }
  const send = (eventType: string, promoted: Record<string, unknown>, data?: Record<string, unknown>) => {
    if (legacy) sendLegacy({ result: frame(eventType, promoted, data) })
    else connection.notify('stream.event', { request_id: ctx.requestId ?? null, ...frame(eventType, {}, data), ...promoted })
  }

  return {
    legacy,

    /** One event; `promoted` are the data fields copied up beside `data`, as the earlier frames had them. */
    event (eventType: string, promoted: Record<string, unknown>, data: Record<string, unknown>): void {
      send(eventType, promoted, data)
    },

    /**
     * The method's final result, with the stream_complete fields and `data` beside its own. JSON-RPC framing
     * also sends a stream_complete event first, unless `announce` is false (the stream has its own last event).
     */
    complete<R extends object, D extends object> (result: R, c: StreamCompletion<D>, { announce = true } = {}): R & CompleteFields<D> {
      const promoted = { full_response: c.fullResponse, tokens_used: c.tokensUsed, processing_time: c.processingTime }
      const data = { ...c.data, ...promoted, chunk_count: c.chunkCount, response_length: c.fullResponse.length }
      const final = { ...result, ...promoted, event_type: 'stream_complete' as const, stream_id: streamId, timestamp: new Date().toISOString(), chunk_count: c.chunkCount, data }
      if (!legacy) { if (announce) send('stream_complete', promoted, data) }
      // a request without an id gets no response: in legacy framing its stream still ends with this frame
      else if (ctx.requestId === undefined) sendLegacy({ result: final })
      return final
    },

    /**
     * A stream that failed or was cancelled. JSON-RPC framing: the terminal event, then the error goes on
     * as the request's error response. Legacy: the earlier terminal frame is the whole answer.
     */
    fail<R> (err: unknown): R {
      const cancelled = err instanceof RpcError && err.code === ErrorCode.Cancelled
      // a stream stopped by something else than its client (a persona deleted) says what
      const reason = cancelled && typeof err.data?.detail === 'string' ? err.data.detail : 'Client cancelled'
      if (!legacy) {
        send(cancelled ? 'stream_cancelled' : 'stream_error', {}, cancelled
          ? { reason }
          : { error: err instanceof RpcError ? { code: err.code, message: err.message } : { code: ErrorCode.InternalError, message: 'Internal error' } })
        throw err
      }
      if (!(err instanceof RpcError)) ctx.log.error({ err, connection: connection.id, stream: streamId }, 'internal error in a stream')
      if (cancelled) sendLegacy({ result: frame('stream_cancelled', {}, { reason }) })
      else sendLegacy({ result: frame('stream_error', {}), error: toErrorObject(err) })
      return answered<R>()
    },
  }
}
