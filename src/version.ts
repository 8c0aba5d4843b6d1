import { readFileSync } from 'node:fs'
import path from 'node:path'
import { PROJECT_ROOT } from './util/project-root.ts'

/** The server's version, from package.json (read once). */
export const SERVER_VERSION: string = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version
export const SERVER_NAME = 'Persona MCP Server'
