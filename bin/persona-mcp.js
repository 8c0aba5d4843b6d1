#!/usr/bin/env node
// `persona-mcp [serve|migrate|stdio]`: runs the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api'

register()
await import('../src/server.ts')
