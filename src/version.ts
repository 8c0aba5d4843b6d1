import { readFileSync } from 'node:fs'

/** The server's version, from package.json (read once). */
export const SERVER_VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version
export const SERVER_NAME = 'Persona MCP Server'
