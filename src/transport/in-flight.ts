/** Counts calls under way so that shutdown can let them finish before sockets close. */
export function createInFlight () {
  let count = 0
  let idle: Array<() => void> = []
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
    /** resolves true when nothing is in flight, false when `timeoutMs` passed first */
    drain (timeoutMs: number): Promise<boolean> {
      if (count === 0) return Promise.resolve(true)
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs)
        idle.push(() => { clearTimeout(timer); resolve(true) })
      })
    },
  }
}

export type InFlight = ReturnType<typeof createInFlight>
