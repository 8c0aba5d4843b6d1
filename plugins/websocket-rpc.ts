import fp from 'fastify-plugin'
import websocket from '@fastify/websocket'
import { createSessionMethods } from '../src/sessions/methods.ts'
import { createInFlight } from '../src/transport/in-flight.ts'
import { serveRpcSocket } from '../src/transport/rpc-socket.ts'

const ANONYMOUS = { id: 'anonymous', scope: 'admin' } as const

/** The JSON-RPC API on ws://HOST:PORT/mcp, one session per connection, and the session.* methods. */
export default fp(async (app) => {
  const { config, runtime, sessions } = app
  const inFlight = createInFlight()
  const log = app.log.child({ component: 'websocket' })

  await app.register(websocket, {
    options: { maxPayload: config.server.maxFrameBytes },
    // shutdown: new upgrades are already refused; let calls under way finish, then say goodbye
    preClose: async function () {
      const drained = await inFlight.drain(config.server.shutdownGraceMs)
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
    handler: async (_request, reply) => reply.code(426).header('upgrade', 'websocket').send({
      statusCode: 426,
      error: 'Upgrade Required',
      message: 'ws://HOST:PORT/mcp speaks JSON-RPC 2.0 over WebSocket; open a WebSocket connection',
    }),
    wsHandler: (socket) => {
      if (runtime.connections >= config.server.maxConnections) {
        socket.close(1013, 'server at its connection limit, try again later')
        return
      }
      serveRpcSocket(socket, ANONYMOUS, {
        dispatcher: app.rpc.dispatcher, sessions, stats: runtime, inFlight, log, maxBufferedBytes: config.server.maxBufferedBytes,
      })
    },
  })
}, { name: 'websocket-rpc', dependencies: ['config', 'rpc', 'sessions', 'persona', 'system'] })
