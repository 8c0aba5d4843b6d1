/** An error as one sentence for the person at the console. */
export const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err))
