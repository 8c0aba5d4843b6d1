import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { McpSessionParams } from './repository.ts'

// Taking over an MCP HTTP session another instance (or this one before a restart) initialised: the SDK's
// transport has no public way to start "already initialised", so the handshake is replayed through it.

/** The params of the initialize request in a POST body (one message or a batch), if it holds one. */
export function initializeParams (body: unknown): McpSessionParams | undefined {
  const message = (Array.isArray(body) ? body as unknown[] : [body]).find((m) => isInitializeRequest(m))
  if (message === undefined) return undefined
  const { protocolVersion, capabilities, clientInfo } = message.params
  return { protocolVersion, capabilities: { ...capabilities }, clientInfo: { ...clientInfo } }
}

/** A POST no socket carries: the transport reads only its method and headers (the message comes parsed). */
function syntheticPost (headers: Record<string, string>): { req: IncomingMessage, res: ServerResponse } {
  const req = new IncomingMessage(new Socket())
  req.method = 'POST'
  req.url = '/mcp'
  const all = { host: 'localhost', accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...headers }
  req.headers = all
  req.rawHeaders = Object.entries(all).flat()
  req.push(null)
  // with no socket the response is buffered in memory and dropped with it: nobody reads the replayed answers
  return { req, res: new ServerResponse(req) }
}

/**
 * Brings a fresh transport (whose sessionIdGenerator returns the stored id) and the Server connected to it to
 * where the session stood after its handshake, with public API only: the stored initialize request, answered
 * into a throwaway response, then notifications/initialized (without Mcp-Protocol-Version, which the
 * transport accepts as "the negotiated one"). The Server thereby knows the client's capabilities again.
 */
export async function replayHandshake (transport: StreamableHTTPServerTransport, params: McpSessionParams): Promise<void> {
  const init = syntheticPost({})
  await transport.handleRequest(init.req, init.res, { jsonrpc: '2.0', id: 0, method: 'initialize', params })
  if (init.res.statusCode !== 200 || transport.sessionId === undefined) throw new Error(`the stored initialize was refused (HTTP ${init.res.statusCode})`)
  const done = syntheticPost({ 'mcp-session-id': transport.sessionId })
  await transport.handleRequest(done.req, done.res, { jsonrpc: '2.0', method: 'notifications/initialized' })
  if (done.res.statusCode !== 202) throw new Error(`the replayed notifications/initialized was refused (HTTP ${done.res.statusCode})`)
}
