import type { RpcConnection } from '../rpc/context.ts'
import { domainError, ErrorCode, RpcError } from '../rpc/errors.ts'
import { createTokenBucket, type RateRule, type TokenBucket } from './token-bucket.ts'

export type { RateRule } from './token-bucket.ts'

export interface RateLimiterOptions {
  perConnection: RateRule
  /** the cluster-wide total per user: each instance admits its share (see `instances`) */
  perKey: RateRule
  /** live instances sharing the per-key rule (the cluster's count); read at every request */
  instances?: () => number
  /** users whose buckets are kept at most; past it full buckets go first, then the least recently used */
  maxKeys?: number
  now?: () => number
}

/**
 * Request rate limits of every face (JSON-RPC over WebSocket, MCP over WebSocket and HTTP): a bucket per
 * connection and one per user (API key), both of which a request must pass. A connection's bucket goes with
 * it; a user's outlives their connections (a reconnect must not refill it) and is forgotten only once it has
 * refilled, when it holds nothing a new one would not. The anonymous user (no keys) is one user like any other.
 * A user's requests may land on any instance of a cluster, so each applies 1/N of the per-key rule (N live
 * instances; a burst of at least 1): together they admit about the configured total. A connection lives on
 * one instance, so its rule is never divided.
 */
export function createRateLimiter ({ perConnection, perKey, instances = () => 1, maxKeys = 10_000, now = Date.now }: RateLimiterOptions) {
  const connections = new Map<string, TokenBucket>()
  /** in order of last use, oldest first */
  const users = new Map<string, TokenBucket>()
  /** this instance's share of perKey, changed in place: every user bucket reads it */
  const keyShare: RateRule = { ...perKey }
  let sharedBy = 1
  const updateShare = () => {
    const n = Math.max(1, Math.floor(instances()))
    if (n === sharedBy) return
    sharedBy = n
    keyShare.perSecond = perKey.perSecond / n
    keyShare.burst = Math.max(1, Math.floor(perKey.burst / n))
  }
  // a batch beyond the smaller burst could never pass: say so instead of "retry later"
  const maxBatch = () => Math.min(perConnection.burst, keyShare.burst)

  const connectionBucket = (connection: RpcConnection): TokenBucket => {
    let bucket = connections.get(connection.id)
    if (bucket === undefined) {
      bucket = createTokenBucket(perConnection, now())
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
    const created = createTokenBucket(keyShare, at)
    users.set(userId, created)
    return created
  }

  return {
    get maxBatch () { updateShare(); return maxBatch() },
    /** this instance's share of the per-key rule now */
    get perKey (): RateRule { updateShare(); return { ...keyShare } },
    /** undefined when `count` requests may go ahead, else the error that refuses them */
    admit (connection: RpcConnection, count: number): RpcError | undefined {
      updateShare()
      if (count > maxBatch()) return batchTooLarge(count, maxBatch())
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
