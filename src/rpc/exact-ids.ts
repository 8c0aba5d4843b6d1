import { LosslessNumber, parse } from 'lossless-json'
import type { JsonRpcResponse } from './messages.ts'

/**
 * JSON-RPC ids are echoed exactly, but JSON.parse rounds integers beyond 2^53 (and Node 20 has neither
 * JSON.parse source-text access nor JSON.rawJSON). So when a parsed id is a number beyond the safe-integer
 * range, the id's source text is recovered and written verbatim into the reply.
 *
 * Preserved byte for byte: every numeric id whose value is beyond ±(2^53 - 1), whatever its spelling
 * (12345678901234567890, -9007199254740993, 1e300). Not preserved: numbers inside the safe range keep
 * their value, not their spelling (1.0 comes back as 1, 1.0000000000000000001 as 1: fractional ids are
 * discouraged by the spec anyway); 1e400 is Infinity, an invalid id (null). Handlers see the rounded
 * number as ctx.requestId, so stream notifications carry that.
 *
 * The cost stays off the hot path: the check is one comparison on the already parsed id, and only a
 * message that has such an id is parsed a second time (losslessly).
 */

/** Source texts of the big numeric ids of a parsed message, in message order, or undefined when it has none. */
export function exactIds (text: string, message: unknown): string[] | undefined {
  if (Array.isArray(message) ? !message.some(hasBigId) : !hasBigId(message)) return undefined
  let lossless: unknown
  try {
    // last duplicate key wins, as in JSON.parse; a message too deep for this recursive parser keeps rounded ids
    lossless = parse(text, null, { onDuplicateKey: ({ newValue }) => newValue })
  } catch {
    return undefined
  }
  const raws: string[] = []
  for (const element of Array.isArray(lossless) ? lossless : [lossless]) {
    const id = (element as { id?: unknown } | null)?.id
    if (id instanceof LosslessNumber && isBig(Number(id.value))) raws.push(id.value)
  }
  return raws
}

function hasBigId (message: unknown): boolean {
  return isBig((message as { id?: unknown } | null)?.id)
}

function isBig (id: unknown): boolean {
  return typeof id === 'number' && Number.isFinite(id) && Math.abs(id) > Number.MAX_SAFE_INTEGER
}

/**
 * The reply text with each big id written as its source text. Replies keep message order and each request
 * with a finite numeric id gets exactly one reply, so the n-th reply with a big id is the n-th big id.
 */
export function serialiseExact (reply: JsonRpcResponse | JsonRpcResponse[], raws: readonly string[]): string {
  let next = 0
  const one = (r: JsonRpcResponse): string => {
    if (!hasBigId(r) || next >= raws.length) return JSON.stringify(r)
    const { jsonrpc, id: _rounded, ...rest } = r
    // `rest` always holds result or error, so its text is `{...}` and never `{}`
    return `{"jsonrpc":${JSON.stringify(jsonrpc)},"id":${raws[next++]},${JSON.stringify(rest).slice(1)}`
  }
  return Array.isArray(reply) ? `[${reply.map(one).join(',')}]` : one(reply)
}
