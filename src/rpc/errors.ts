import type { JsonRpcErrorObject } from './messages.ts'

/**
 * Every error code the server sends, in one place (the MCP SDK's ErrorCode pattern).
 * Standard JSON-RPC codes first, then our domain codes from -32000 down.
 */
export enum ErrorCode {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,

  PersonaNotFound = -32000,
  NoActivePersona = -32001,
  PersonaUnavailable = -32002,
  SessionNotFound = -32003,
  SessionInUse = -32004,
  Forbidden = -32005,
  Conflict = -32006,
  RateLimited = -32007,
  LlmUnavailable = -32008,
  ConversationNotFound = -32009,
  NotFound = -32010,
  Busy = -32011,
  Cancelled = -32012
}

/** Stable machine-readable reasons: clients switch on `error.data.reason`, never on message text. */
const REASONS: Readonly<Record<ErrorCode, string>> = {
  [ErrorCode.ParseError]: 'parse_error',
  [ErrorCode.InvalidRequest]: 'invalid_request',
  [ErrorCode.MethodNotFound]: 'method_not_found',
  [ErrorCode.InvalidParams]: 'invalid_params',
  [ErrorCode.InternalError]: 'internal_error',
  [ErrorCode.PersonaNotFound]: 'persona_not_found',
  [ErrorCode.NoActivePersona]: 'no_active_persona',
  [ErrorCode.PersonaUnavailable]: 'persona_unavailable',
  [ErrorCode.SessionNotFound]: 'session_not_found',
  [ErrorCode.SessionInUse]: 'session_in_use',
  [ErrorCode.Forbidden]: 'forbidden',
  [ErrorCode.Conflict]: 'conflict',
  [ErrorCode.RateLimited]: 'rate_limited',
  [ErrorCode.LlmUnavailable]: 'llm_unavailable',
  [ErrorCode.ConversationNotFound]: 'conversation_not_found',
  [ErrorCode.NotFound]: 'not_found',
  [ErrorCode.Busy]: 'busy',
  [ErrorCode.Cancelled]: 'cancelled'
}

/** The `data.reason` string of a code (undefined for codes outside the enum). */
export function errorReason (code: ErrorCode): string | undefined {
  return REASONS[code]
}

/** Extra fields of an error's data; `retry_after` is in seconds (rate limits, full queues). */
export interface ErrorDetails {
  retry_after?: number
  [key: string]: unknown
}

/** An error meant for the client: code, message and data reach the reply unchanged. */
export class RpcError extends Error {
  readonly code: ErrorCode
  readonly data?: Record<string, unknown>

  constructor (code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message)
    this.name = 'RpcError'
    this.code = code
    const reason = REASONS[code]
    if (reason !== undefined || details !== undefined) {
      // reason first so the data reads naturally; details cannot override it
      const data: Record<string, unknown> = { reason, ...details }
      if (reason === undefined) delete data.reason
      else data.reason = reason
      if (typeof details?.retry_after === 'number') {
        // whole seconds, like the HTTP Retry-After header; never "retry 0.2s ago"
        data.retry_after = Math.max(0, Math.ceil(details.retry_after))
      }
      this.data = data
    }
  }

  toJSON (): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data }
  }
}

/** `throw domainError(ErrorCode.PersonaNotFound, 'Persona not found: bob', { persona_id: 'bob' })` */
export function domainError (code: ErrorCode, message: string, details?: ErrorDetails): RpcError {
  return new RpcError(code, message, details)
}

export function methodNotFound (method: string): RpcError {
  return new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method}`, { method })
}

export function invalidParams (message: string, details?: ErrorDetails): RpcError {
  return new RpcError(ErrorCode.InvalidParams, message, details)
}

export function invalidRequest (detail: string): RpcError {
  return new RpcError(ErrorCode.InvalidRequest, 'Invalid Request', { detail })
}

export function isRpcError (err: unknown): err is RpcError {
  return err instanceof RpcError
}

/** The error object that may be sent for any thrown value: unknown exceptions reveal nothing. */
export function toErrorObject (err: unknown): JsonRpcErrorObject {
  if (err instanceof RpcError) return err.toJSON()
  return { code: ErrorCode.InternalError, message: 'Internal error', data: { reason: REASONS[ErrorCode.InternalError] } }
}
