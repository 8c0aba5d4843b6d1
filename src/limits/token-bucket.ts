export interface RateRule { perSecond: number, burst: number }

/** A token bucket: `burst` tokens at most, refilled at `perSecond`; time is passed in, so it is pure to test. */
export interface TokenBucket {
  /** takes `cost` tokens; 0 when allowed, else the seconds until they would be there */
  take (cost: number, nowMs: number): number
  /** true when the bucket has refilled to its burst: it then holds nothing a new bucket would not */
  full (nowMs: number): boolean
}

/**
 * `rule` is read at every call, so a rule changed in place (per-key limits shared among a changing number
 * of instances) applies at once: a smaller burst caps what the bucket holds, a larger one fills with time.
 */
export function createTokenBucket (rule: Readonly<RateRule>, nowMs: number): TokenBucket {
  let tokens = rule.burst
  let at = nowMs
  const refill = (now: number) => {
    tokens = Math.min(rule.burst, tokens + ((now - at) / 1000) * rule.perSecond)
    at = Math.max(at, now)
  }
  return {
    take (cost, now) {
      refill(now)
      if (tokens >= cost) {
        tokens -= cost
        return 0
      }
      return (cost - tokens) / rule.perSecond
    },
    full (now) {
      refill(now)
      return tokens >= rule.burst
    },
  }
}
