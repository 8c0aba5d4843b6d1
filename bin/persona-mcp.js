#!/usr/bin/env node
// `persona-mcp [serve|migrate|stdio]`: runs the compiled server in dist/ (no TypeScript compiler at run time),
// building it first when it is missing or older than the sources (a fresh clone, an edit since the last build).
import { ensureBuilt, logLine } from './build.js'

try {
  await ensureBuilt()
} catch (err) {
  logLine('fatal', 'start-up failed', { err: { message: err instanceof Error ? err.message : String(err) } })
  process.exit(1)
}
await import('../dist/src/server.js')
