import type { Readable, Writable } from 'node:stream'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import type { UserIdentity } from '../rpc/caller.ts'
import type { McpService } from './server.ts'
import type { McpSession } from './types.ts'

/**
 * Who a stdio client is: whoever can start this process can read its data directory, so it is the same
 * anonymous admin an unauthenticated server serves (API keys guard the network faces only).
 */
export const STDIO_USER: UserIdentity = Object.freeze({ id: 'anonymous', scope: 'admin' })

export interface StdioServing {
  session: McpSession
  /** resolves once the client has gone (stdin ended) or the session was closed */
  closed: Promise<void>
}

/**
 * MCP over stdin/stdout: one session for the life of the process. stdout then carries protocol messages
 * only, so the caller must have sent every log line elsewhere (stderr) before calling this.
 */
export async function serveStdio (service: McpService, user: UserIdentity = STDIO_USER, stdin: Readable = process.stdin, stdout: Writable = process.stdout): Promise<StdioServing> {
  const transport = new StdioServerTransport(stdin, stdout)
  let done!: () => void
  const closed = new Promise<void>((resolve) => { done = resolve })
  transport.onclose = () => done()
  const session = await service.connect(transport, user, 'stdio')
  // the SDK transport never notices the client hanging up: an ended stdin is the end of the session
  stdin.once('end', () => { void session.close() })
  return { session, closed }
}
