// Types of bin/build.js for the TypeScript that imports it (tests, benchmarks).
/** Why dist/ must be (re)built, or null when it is up to date (or there are no sources to build). */
export function staleReason (root?: string): string | null
/** Compiles src/ and plugins/ to dist/; returns the milliseconds it took. */
export function build (root?: string): number
/** Deletes compiled files whose source is gone. */
export function removeOrphans (root?: string, dir?: string): void
/** Builds dist/ when it is stale, one process at a time. */
export function ensureBuilt (): Promise<void>
/** One pino-shaped JSON log line on stderr. */
export function logLine (level: 'info' | 'warn' | 'fatal', msg: string, fields?: Record<string, unknown>): void
