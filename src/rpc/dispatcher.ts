import type { RpcConnection, RpcLogger } from './context.ts'
import { ErrorCode, errorReason, invalidRequest, RpcError, toErrorObject } from './errors.ts'
import { exactIds, serialiseExact } from './exact-ids.ts'
import { ANSWERED } from './answered.ts'
import { failure, success } from './messages.ts'
import type { JsonRpcId, JsonRpcResponse } from './messages.ts'
import type { MethodRegistry } from './registry.ts'

export interface DispatcherOptions {
  registry: MethodRegistry
  log: RpcLogger
  /** a gate before any work (rate limits): an error refuses all `count` requests of the message */
  admit?: (connection: RpcConnection, count: number) => RpcError | undefined
  /** told about every call that reached a method (metrics) */
  observe?: (method: string, outcome: 'ok' | 'error' | 'internal', seconds: number) => void
}

/** Transport-free JSON-RPC 2.0 processing: WebSocket, HTTP and tests all feed it text or parsed values. */
export interface Dispatcher {
  /** the serialized reply, or undefined when nothing must be sent (notifications); synchronous when every method called was */
  handleText (text: string, connection: RpcConnection): string | undefined | Promise<string | undefined>
  handleMessage (value: unknown, connection: RpcConnection): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined>
}

const PARSE_ERROR_REPLY = JSON.stringify(failure(null, {
  code: ErrorCode.ParseError,
  message: 'Parse error',
  data: { reason: errorReason(ErrorCode.ParseError) }
}))

type Reply = JsonRpcResponse | undefined | Promise<JsonRpcResponse | undefined>

interface Call { method: string, hasId: boolean, replyId: JsonRpcId, connection: RpcConnection, started: number }

export function createDispatcher ({ registry, log, admit, observe }: DispatcherOptions): Dispatcher {
  /** One request or notification; undefined means "no reply" (a notification). Synchronous when the method is. */
  function handleOne (message: unknown, connection: RpcConnection): Reply {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return failure(null, invalidRequest('a request must be an object').toJSON())
    }
    const req = message as Record<string, unknown>
    const hasId = 'id' in req
    const id = req.id
    if (hasId && !isValidId(id)) {
      // the id cannot be echoed, so the spec says null
      return failure(null, invalidRequest('id must be a string, a number or null').toJSON())
    }
    const replyId = (hasId ? id : null) as JsonRpcId
    // an invalid request always gets a reply, even without an id (spec example "Invalid Request object")
    const problem = requestProblem(req)
    if (problem !== undefined) return failure(replyId, invalidRequest(problem).toJSON())

    const method = req.method as string
    const call: Call = { method, hasId, replyId, connection, started: observe === undefined ? 0 : performance.now() }
    try {
      const result = registry.invoke(method, req.params, { connection, requestId: hasId ? replyId : undefined, log })
      // no closures per call on the synchronous path: a cheap method's whole cost is counted in microseconds
      return result instanceof Promise ? result.then((value) => done(call, value), (err: unknown) => failed(call, err)) : done(call, result)
    } catch (err) {
      return failed(call, err)
    }
  }

  function done (call: Call, result: unknown): JsonRpcResponse | undefined {
    if (observe !== undefined) observe(call.method, 'ok', (performance.now() - call.started) / 1000)
    return call.hasId && result !== ANSWERED ? success(call.replyId, result) : undefined
  }

  function failed (call: Call, err: unknown): JsonRpcResponse | undefined {
    const { method, hasId, replyId, connection } = call
    if (observe !== undefined) observe(registry.get(method) ? method : '(unknown)', err instanceof RpcError ? 'error' : 'internal', (performance.now() - call.started) / 1000)
    if (!(err instanceof RpcError)) {
      log.error({ err, method, id: hasId ? replyId : undefined, connection: connection.id }, 'internal error in RPC method')
    } else if (!hasId) {
      // no reply carries it, so leave a trace for whoever debugs the silent client
      log.debug({ err, method, connection: connection.id }, 'error in RPC notification')
    }
    return hasId ? failure(replyId, toErrorObject(err)) : undefined
  }

  /** the refusal each request of a refused message gets (notifications get none, as ever) */
  function refuse (message: unknown, error: RpcError): JsonRpcResponse | undefined {
    const req = message as Record<string, unknown> | null
    if (typeof req !== 'object' || req === null || !('id' in req) || !isValidId(req.id)) return undefined
    return failure(req.id as JsonRpcId, error.toJSON())
  }

  function handleAny (value: unknown, connection: RpcConnection): JsonRpcResponse | JsonRpcResponse[] | undefined | Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    const refused = admit?.(connection, Array.isArray(value) ? Math.max(1, value.length) : 1)
    if (refused !== undefined) {
      if (!Array.isArray(value)) return refuse(value, refused)
      const replies = value.map((element) => refuse(element, refused)).filter((r): r is JsonRpcResponse => r !== undefined)
      return replies.length === 0 ? undefined : replies
    }
    if (!Array.isArray(value)) return handleOne(value, connection)
    if (value.length === 0) return failure(null, invalidRequest('a batch must not be empty').toJSON())
    // all elements start before any finishes: a slow call does not hold up the rest of the batch
    return Promise.all(value.map((element) => handleOne(element, connection))).then((replies) => {
      const sent = replies.filter((reply): reply is JsonRpcResponse => reply !== undefined)
      return sent.length === 0 ? undefined : sent
    })
  }

  async function handleMessage (value: unknown, connection: RpcConnection): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    return await handleAny(value, connection)
  }

  function handleText (text: string, connection: RpcConnection): string | undefined | Promise<string | undefined> {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return PARSE_ERROR_REPLY
    }
    const reply = handleAny(value, connection)
    const raws = exactIds(text, value) // undefined unless an id is beyond 2^53: then its digits go back verbatim
    const serialise = (r: JsonRpcResponse | JsonRpcResponse[] | undefined) =>
      (r === undefined ? undefined : raws === undefined ? JSON.stringify(r) : serialiseExact(r, raws))
    return reply instanceof Promise ? reply.then(serialise) : serialise(reply)
  }

  return { handleText, handleMessage }
}

/** Fractional numbers are only discouraged by the spec (SHOULD NOT), so any finite number is accepted. */
function isValidId (id: unknown): boolean {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))
}

function requestProblem (req: Record<string, unknown>): string | undefined {
  if (req.jsonrpc !== '2.0') return 'jsonrpc must be exactly "2.0"'
  if (typeof req.method !== 'string') return 'method must be a string'
  const params = req.params
  if (params !== undefined && (typeof params !== 'object' || params === null)) {
    return 'params must be an object or an array'
  }
  return undefined
}
