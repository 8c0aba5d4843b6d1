import fp from 'fastify-plugin'
import websocket from '@fastify/websocket'
import { createSessionMethods } from '../src/sessions/methods.ts'
import { createInFlight, type InFlight } from '../src/transport/in-flight.ts'
import { serveRpcSocket } from '../src/transport/rpc-socket.ts'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'

/** The other faces of the /mcp path (the MCP plugin fills them in); JSON-RPC over WebSocket stays the default. */
export interface McpPath {
  /** WebSocket subprotocol -> the handler of sockets that negotiated it */
  readonly protocols: Map<string, (socket: WebSocket, request: FastifyRequest) => void>
  /** a plain GET (no upgrade): resolves true when it answered, otherwise the 426 hint goes out */
  get?: (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>
  /** calls under way on any face of the path: shutdown lets them finish */
  readonly inFlight: InFlight
}

declare module 'fastify' {
  interface FastifyInstance {
    mcpPath: McpPath
  }
}

/**
 * The subprotocol to answer with: a registered face the client offers, else JSON-RPC. `apikey.<secret>` is only
 * a credential (see plugins/auth.ts) and is echoed only when it is all the client offered, as a handshake needs one.
 */
function chooseProtocol (offered: Set<string>, faces: ReadonlyMap<string, unknown>): string | false {
  for (const name of faces.keys()) if (offered.has(name)) return name
  if (offered.has('jsonrpc')) return 'jsonrpc'
  const offers = [...offered]
  return offers.every((p) => p.startsWith('apikey.')) ? (offers[0] ?? false) : false
}


/** `?compat=legacy` or `?compat=jsonrpc` picks a connection's stream framing; without it the server-wide setting holds. */
function streamFraming (compat: unknown, serverWide: boolean): boolean | undefined {
  if (compat === undefined) return serverWide
  return compat === 'legacy' ? true : compat === 'jsonrpc' ? false : undefined
}

/** ws protocol errors (WS_ERR_*: oversize, invalid UTF-8, bad opcode or close code...) and a peer gone mid-write */
const CLIENT_FAULT = /^(WS_ERR_|ECONNRESET$|EPIPE$|ETIMEDOUT$)/

/** The JSON-RPC API on ws://HOST:PORT/mcp, one session per connection, and the session.* methods. */
export default fp(async (app) => {
  const { config, runtime, sessions } = app
  const inFlight = createInFlight()
  const log = app.log.child({ component: 'websocket' })
  const mcpPath: McpPath = { protocols: new Map(), inFlight }
  app.decorate('mcpPath', mcpPath)

  await app.register(websocket, {
    options: { maxPayload: config.server.maxFrameBytes, handleProtocols: (offered) => chooseProtocol(offered, mcpPath.protocols) },
    // a client's fault (a frame over maxFrameBytes, bad UTF-8, a broken frame, a reset) is one line: ws has
    // already closed with the code that says why; only a failure of ours is an error with its stack
    errorHandler: (err, socket, request) => {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== undefined && CLIENT_FAULT.test(code)) request.log.info({ code, reason: err.message }, 'websocket closed on a client fault')
      else request.log.error({ err }, 'websocket handler failed')
      socket.terminate()
    },
    // shutdown: new upgrades are already refused; let calls under way finish, then say goodbye
    preClose: async function () {
      const drained = await inFlight.drain(config.server.shutdownGraceMs)
      // closing a socket aborts its calls still running (their connection's signal)
      if (!drained) log.warn({ inFlight: inFlight.count }, 'shutdown grace period over, closing sockets with calls in flight')
      const clients = [...app.websocketServer.clients]
      for (const client of clients) client.close(1001, 'server shutting down')
      // a peer that does not answer the close handshake promptly is cut off
      await Promise.race([
        Promise.all(clients.map((c) => new Promise((resolve) => { if (c.readyState === c.CLOSED) resolve(null); else c.once('close', resolve) }))),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ])
      for (const client of clients) client.terminate()
      app.websocketServer.close()
    },
  })

  app.rpc.registry.add(...createSessionMethods({ sessions, personas: app.personas }))

  app.route({
    method: 'GET',
    url: '/mcp',
    schema: { hide: true },
    handler: async (request, reply) => (await mcpPath.get?.(request, reply)) ? reply : reply.code(426).header('upgrade', 'websocket').send({
      statusCode: 426,
      error: 'Upgrade Required',
      message: 'ws://HOST:PORT/mcp speaks JSON-RPC 2.0 over WebSocket; open a WebSocket connection',
    }),
    wsHandler: (socket, request) => {
      if (runtime.connections >= config.server.maxConnections) {
        socket.close(1013, 'server at its connection limit, try again later')
        return
      }
      const face = mcpPath.protocols.get(socket.protocol)
      if (face) { face(socket, request); return }
      const legacyStreamFrames = streamFraming((request.query as Record<string, unknown> | undefined)?.compat, config.compat.legacyStreamFrames)
      if (legacyStreamFrames === undefined) {
        socket.close(1008, 'unknown compat mode: use ?compat=legacy or ?compat=jsonrpc')
        return
      }
      serveRpcSocket(socket, request.user, {
        dispatcher: app.rpc.dispatcher, sessions, stats: runtime, inFlight, log, legacyStreamFrames,
        maxBufferedBytes: config.server.maxBufferedBytes, slowClientGraceMs: config.server.slowClientGraceMs,
      })
    },
  })
}, { name: 'websocket-rpc', dependencies: ['config', 'auth', 'rpc', 'sessions', 'persona', 'system'] })
