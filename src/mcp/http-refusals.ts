// The answers /mcp sends itself, not the SDK transport: in the SDK's own wording (a JSON-RPC error, id null).

/** A refusal the caller sends itself, in the SDK's own wording; undefined means the transport answered. */
export interface Refusal { status: number, body: { jsonrpc: '2.0', error: { code: number, message: string, data?: Record<string, unknown> }, id: null } }

export const refusal = (status: number, code: number, message: string, data?: Record<string, unknown>): Refusal =>
  ({ status, body: { jsonrpc: '2.0', error: { code, message, ...(data && { data }) }, id: null } })
export const SESSION_NOT_FOUND = refusal(404, -32001, 'Session not found')
export const FULL = refusal(503, -32000, 'Server at its connection limit, try again later')
export const LAGGING = refusal(503, -32000, 'Session too far behind: more than server.maxBufferedBytes of its responses are unread; read its open streams first',
  { reason: 'slow_client' })
