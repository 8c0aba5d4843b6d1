import type { RpcConnection } from '../rpc/context.ts'
import { domainError, ErrorCode, RpcError } from '../rpc/errors.ts'
import { createTokenBucket, type TokenBucket } from './token-bucket.ts'

export interface RateRule { perSecond: number, burst: number }

export interface RateLimiterOptions {
  perConnection: RateRule
  perKey: RateRule
  /** users whose buckets are kept at most; past it full buckets go first, then the least recently used */
  maxKeys?: number
  now?: () => number
}

/**
 * Request rate limits of every face (JSON-RPC over WebSocket, MCP over WebSocket and HTTP): a bucket per
 * connection and one per user (API key), both of which a request must pass. A connection's bucket goes with
 * it; a user's outlives their connections (a reconnect must not refill it) and is forgotten only once it has
 * refilled, when it holds nothing a new one would not. The anonymous user (no keys) is one user like any other.
 */
export function createRateLimiter ({ perConnection, perKey, maxKeys = 10_000, now = Date.now }: RateLimiterOptions) {
  const connections = new Map<string, TokenBucket>()
  /** in order of last use, oldest first */
  const users = new Map<string, TokenBucket>()
  // a batch beyond the smaller burst could never pass: say so instead of "retry later"
  const maxBatch = Math.min(perConnection.burst, perKey.burst)

  const connectionBucket = (connection: RpcConnection): TokenBucket => {
    let bucket = connections.get(connection.id)
    if (bucket === undefined) {
      bucket = createTokenBucket(perConnection.perSecond, perConnection.burst, now())
      connections.set(connection.id, bucket)
      connection.signal.addEventListener('abort', () => connections.delete(connection.id), { once: true })
    }
    return bucket
  }

  const userBucket = (userId: string, at: number): TokenBucket => {
    const bucket = users.get(userId)
    if (bucket !== undefined) {
      users.delete(userId)
      users.set(userId, bucket)
      return bucket
    }
    // the oldest are the likeliest to have refilled: dropping them changes nothing
    for (const [id, old] of users) {
      if (!old.full(at)) break
      users.delete(id)
    }
    if (users.size >= maxKeys) users.delete(users.keys().next().value as string)
    const created = createTokenBucket(perKey.perSecond, perKey.burst, at)
    users.set(userId, created)
    return created
  }

  return {
    maxBatch,
    /** undefined when `count` requests may go ahead, else the error that refuses them */
    admit (connection: RpcConnection, count: number): RpcError | undefined {
      if (count > maxBatch) return batchTooLarge(count, maxBatch)
      const at = now()
      const waitConnection = connectionBucket(connection).take(count, at)
      if (waitConnection > 0) return limited('this connection', waitConnection)
      const waitUser = userBucket(connection.user.id, at).take(count, at)
      if (waitUser > 0) return limited(`user ${connection.user.id}`, waitUser)
      return undefined
    },
    get trackedConnections () { return connections.size },
    get trackedKeys () { return users.size },
  }
}

const limited = (who: string, seconds: number) =>
  domainError(ErrorCode.RateLimited, `Too many requests from ${who}; retry in ${Math.ceil(seconds)} s`, { retry_after: Math.max(1, Math.ceil(seconds)) })

const batchTooLarge = (count: number, max: number) => new RpcError(ErrorCode.InvalidRequest, `Invalid Request: batch too large, at most ${max} requests`, {
  detail: `a batch may hold at most ${max} requests (the smaller rate-limit burst); this one holds ${count}`, max_batch: max,
})

export type RateLimiter = ReturnType<typeof createRateLimiter>
