/** A token bucket: `burst` tokens at most, refilled at `perSecond`; time is passed in, so it is pure to test. */
export interface TokenBucket {
  /** takes `cost` tokens; 0 when allowed, else the seconds until they would be there */
  take (cost: number, nowMs: number): number
  /** true when the bucket has refilled to its burst: it then holds nothing a new bucket would not */
  full (nowMs: number): boolean
}

export function createTokenBucket (perSecond: number, burst: number, nowMs: number): TokenBucket {
  let tokens = burst
  let at = nowMs
  const refill = (now: number) => {
    tokens = Math.min(burst, tokens + ((now - at) / 1000) * perSecond)
    at = Math.max(at, now)
  }
  return {
    take (cost, now) {
      refill(now)
      if (tokens >= cost) {
        tokens -= cost
        return 0
      }
      return (cost - tokens) / perSecond
    },
    full (now) {
      refill(now)
      return tokens >= burst
    },
  }
}
