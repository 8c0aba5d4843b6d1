/** A token bucket: `burst` tokens at most, refilled at `perSecond`; time is passed in, so it is pure to test. */
export interface TokenBucket {
  /** takes `cost` tokens; 0 when allowed, else the seconds until they would be there */
  take (cost: number, nowMs: number): number
}

export function createTokenBucket (perSecond: number, burst: number, nowMs: number): TokenBucket {
  let tokens = burst
  let at = nowMs
  return {
    take (cost, now) {
      tokens = Math.min(burst, tokens + ((now - at) / 1000) * perSecond)
      at = now
      if (tokens >= cost) {
        tokens -= cost
        return 0
      }
      return (cost - tokens) / perSecond
    },
  }
}
