/** Counts calls under way so that shutdown can let them finish before sockets close. */
export function createInFlight (now: () => number = Date.now) {
  let count = 0
  let idle: Array<() => void> = []
  // the first drain fixes the end of the grace period: every later wait on the same calls ends there too,
  // so hooks that drain one after the other (WebSocket, then MCP) add up to one grace period, not several
  let deadline: number | undefined
  return {
    get count () { return count },
    /** wraps one call */
    async track<T> (work: Promise<T>): Promise<T> {
      count++
      try {
        return await work
      } finally {
        if (--count === 0) { for (const resolve of idle) resolve(); idle = [] }
      }
    },
    /** resolves true when nothing is in flight, false when the grace period (`timeoutMs` from the first drain) ended first */
    drain (timeoutMs: number): Promise<boolean> {
      deadline ??= now() + timeoutMs
      if (count === 0) return Promise.resolve(true)
      const left = Math.min(timeoutMs, deadline - now())
      if (left <= 0) return Promise.resolve(false)
      return new Promise((resolve) => {
        const done = () => { clearTimeout(timer); resolve(true) }
        const timer = setTimeout(() => { idle = idle.filter((f) => f !== done); resolve(false) }, left)
        idle.push(done)
      })
    },
  }
}

export type InFlight = ReturnType<typeof createInFlight>
