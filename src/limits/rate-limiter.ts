import type { RpcConnection } from '../rpc/context.ts'
import { domainError, ErrorCode, type RpcError } from '../rpc/errors.ts'
import { createTokenBucket, type TokenBucket } from './token-bucket.ts'

export interface RateRule { perSecond: number, burst: number }

export interface RateLimiterOptions {
  perConnection: RateRule
  perKey: RateRule
  now?: () => number
}

/**
 * JSON-RPC request rate limits: a bucket per connection and one per user (API key), both of which
 * a request must pass. Buckets appear with a connection's first request and go with its close
 * (a user's when their last connection closes), whatever transport the connection came by.
 */
export function createRateLimiter ({ perConnection, perKey, now = Date.now }: RateLimiterOptions) {
  const connections = new Map<string, TokenBucket>()
  const users = new Map<string, { bucket: TokenBucket, connections: number }>()

  const track = (connection: RpcConnection): TokenBucket => {
    const bucket = createTokenBucket(perConnection.perSecond, perConnection.burst, now())
    connections.set(connection.id, bucket)
    const userId = connection.user.id
    const user = users.get(userId) ?? { bucket: createTokenBucket(perKey.perSecond, perKey.burst, now()), connections: 0 }
    user.connections++
    users.set(userId, user)
    connection.signal.addEventListener('abort', () => {
      connections.delete(connection.id)
      if (--user.connections <= 0) users.delete(userId)
    }, { once: true })
    return bucket
  }

  return {
    /** undefined when `count` requests may go ahead, else the error that refuses them */
    admit (connection: RpcConnection, count: number): RpcError | undefined {
      const at = now()
      const waitConnection = (connections.get(connection.id) ?? track(connection)).take(count, at)
      if (waitConnection > 0) return limited('this connection', waitConnection)
      const waitUser = users.get(connection.user.id)?.bucket.take(count, at) ?? 0
      if (waitUser > 0) return limited(`user ${connection.user.id}`, waitUser)
      return undefined
    },
    get trackedConnections () { return connections.size },
  }
}

const limited = (who: string, seconds: number) =>
  domainError(ErrorCode.RateLimited, `Too many requests from ${who}; retry in ${Math.ceil(seconds)} s`, { retry_after: Math.max(1, Math.ceil(seconds)) })

export type RateLimiter = ReturnType<typeof createRateLimiter>
