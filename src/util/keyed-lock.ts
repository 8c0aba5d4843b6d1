/**
 * Runs tasks one at a time per key (a persona's state, a conversation's turns), so that
 * read-modify-write sequences with awaits in between never interleave.
 */
export function createKeyedLock () {
  const tails = new Map<string, Promise<unknown>>()
  return async function withLock<T> (key: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve()
    const run = previous.then(task, task)
    const tail = run.catch(() => undefined)
    tails.set(key, tail)
    try {
      return await run
    } finally {
      // the last one out removes the key, so idle keys cost nothing
      if (tails.get(key) === tail) tails.delete(key)
    }
  }
}

export type KeyedLock = ReturnType<typeof createKeyedLock>
