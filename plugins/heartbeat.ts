import fp from 'fastify-plugin'
import { startHeartbeat } from '../src/transport/heartbeat.ts'

/** Ping/pong and idle timeouts for every WebSocket on the server (JSON-RPC and MCP alike). */
export default fp(async (app) => {
  const { heartbeatSeconds, idleTimeoutSeconds } = app.config.server
  if (heartbeatSeconds === 0) return
  const stop = startHeartbeat(app.websocketServer, { intervalMs: heartbeatSeconds * 1000, idleMs: idleTimeoutSeconds * 1000 })
  app.addHook('preClose', async () => { stop() })
}, { name: 'heartbeat', dependencies: ['config', 'websocket-rpc'] })
