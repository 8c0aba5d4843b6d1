import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { originAllowed } from '../src/auth/access.ts'
import { createRecentConversations } from '../src/conversation/p2p/recent.ts'
import { parseThreadKey } from '../src/events/invalidation.ts'
import { createHttpSessions, type HttpSessions, type Refusal } from '../src/mcp/http-sessions.ts'
import { createMcpService, type McpService } from '../src/mcp/server.ts'
import { failAbandonedTasks } from '../src/mcp/task-records.ts'
import { WebSocketServerTransport } from '../src/mcp/ws-transport.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** opens MCP sessions on any transport (server.ts serves stdio with it) */
    mcp: McpService
    /** the MCP Streamable HTTP sessions this instance holds (user.erase ends the erased user's) */
    mcpHttp: HttpSessions
  }
}

/**
 * The Model Context Protocol on /mcp beside the JSON-RPC API: Streamable HTTP (POST, GET for the SSE
 * stream, DELETE), and WebSocket connections that negotiated the subprotocol `mcp`.
 */
export default fp(async (app) => {
  const { config, runtime, mcpPath } = app
  const log = app.log.child({ component: 'mcp' })
  const shared = app.cluster.scope === 'many'
  const mcp = createMcpService({
    registry: app.rpc.registry,
    sessions: app.sessions,
    personas: app.personas,
    promptSections: () => app.conversations.promptSections(),
    log,
    pageSize: config.mcp.pageSize,
    stats: runtime,
    inFlight: mcpPath.inFlight,
    limiter: app.rpc.limiter,
    llmStateChanges: app.llmStateChanges,
    recentTopics: createRecentConversations(app.store.conversations).topics,
    recentConversations: createRecentConversations(app.store.conversations).ids,
    events: app.events,
    conversations: app.personaConversations,
    // turns stored here, and (announced by the conversation plugin) on the other instances
    chatTurns: (listener) => {
      app.conversations.onTurn(async ({ session, persona }) => { listener({ sessionId: session.id, personaId: persona.id }) })
      app.invalidation.on('thread', (keys) => { for (const key of keys) { const thread = parseThreadKey(key); if (thread) listener(thread) } })
    },
    avatarIcon: (personaId) => app.cards.avatarIcon(personaId),
    subscriptionLimits: { maxPerSession: config.mcp.maxSubscriptionsPerSession, coalesceMs: config.mcp.updateCoalesceMs },
    // several instances: a task's status and result are rows any of them answers from (alone, it is in memory)
    ...(shared && { sharedTasks: { records: app.store.mcpTasks, announceCancel: app.invalidation.announcer('mcpTask'), holdMs: config.mcp.taskLeaseSeconds * 1000 } }),
  })
  app.invalidation.on('mcpTask', (ids) => { mcp.cancelled(ids) })
  app.decorate('mcp', mcp)
  const idleMs = config.mcp.sessionIdleMinutes * 60_000
  // every face has the same send bound per connection (an MCP HTTP session counts as one)
  const bound = { maxBytes: config.server.maxBufferedBytes, graceMs: config.server.slowClientGraceMs }
  const http = createHttpSessions({
    open: (user) => mcp.open(user, 'http'), idleMs, log, full: () => runtime.connections >= config.server.maxConnections,
    maxPerUser: config.mcp.maxSessionsPerUser, bound,
    // recorded, so another instance on the database (or this one after a restart) can serve a session opened here
    store: app.store.mcpSessions, shared, announce: app.invalidation.announcer('mcpSession'),
    personaSessions: app.sessions, threads: app.conversations.threads,
  })
  app.decorate('mcpHttp', http)
  // a user erased on another instance: their copies here end now, not at their next request
  app.invalidation.on('user', async (ids) => { for (const id of ids) await http.closeUser(id) })
  // a session's subscriptions or log level set through another instance: the copy here holding its GET stream sends accordingly
  app.invalidation.on('mcpSession', (ids) => http.reread(ids))
  app.invalidation.onResync(() => http.reread())

  // the auth hook refuses foreign Origins on /mcp already; checked again so the MCP faces never rest on hook order
  const foreign = (request: FastifyRequest) => !originAllowed(request.headers.origin, config.server.allowedOrigins, request.raw.socket?.localPort)

  /** The SDK writes the response itself, so Fastify lets go of it first (headers set on reply are lost then). */
  async function handOff (request: FastifyRequest, reply: FastifyReply, work: () => Promise<Refusal | undefined>) {
    if (foreign(request)) {
      return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: `Origin ${request.headers.origin ?? ''} may not use /mcp (server.allowedOrigins)` })
    }
    reply.hijack()
    const res = reply.raw
    try {
      const refused = await work()
      if (refused) res.writeHead(refused.status, { 'content-type': 'application/json' }).end(JSON.stringify(refused.body))
    } catch (err) {
      log.error({ err, method: request.method }, 'MCP HTTP request failed')
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }))
      else res.destroy()
    }
    return reply
  }

  app.post('/mcp', { schema: { hide: true } }, (request, reply) => handOff(request, reply, () => http.post(request.raw, reply.raw, request.body, request.user)))
  app.delete('/mcp', { schema: { hide: true } }, (request, reply) => handOff(request, reply, () => http.other(request.raw, reply.raw, request.user)))
  // GET /mcp is one route with the WebSocket upgrade (plugins/websocket-rpc.ts): MCP takes the plain GETs meant for it
  mcpPath.get = async (request, reply) => {
    const forMcp = request.headers['mcp-session-id'] !== undefined || (request.headers.accept ?? '').includes('text/event-stream')
    if (!forMcp) return false
    await handOff(request, reply, () => http.other(request.raw, reply.raw, request.user))
    return true
  }

  mcpPath.protocols.set('mcp', (socket, request) => {
    if (foreign(request)) { socket.close(1008, 'origin not allowed'); return }
    mcp.connect(new WebSocketServerTransport(socket, { ...bound, log, connection: 'mcp_websocket' }), request.user, 'websocket').catch((err: unknown) => {
      log.error({ err }, 'MCP WebSocket session failed to start')
      socket.close(1011, 'internal error')
    })
  })

  const sweep = async () => {
    await http.sweep()
    if (!shared) return
    // a task whose instance died is failed, so its poller hears; then the expired go
    await failAbandonedTasks(app.store.mcpTasks).catch((err: unknown) => { log.warn({ err }, 'abandoned MCP tasks not failed') })
    await app.store.mcpTasks.deleteExpired(new Date()).catch((err: unknown) => { log.warn({ err }, 'expired MCP tasks not deleted') })
  }
  const sweeper = setInterval(() => { void sweep() }, Math.min(60_000, Math.max(50, idleMs / 2))).unref()
  // let tool calls under way finish, then end the sessions: an open SSE stream would hold app.close() up
  app.addHook('preClose', async () => {
    clearInterval(sweeper)
    // the same grace period as the WebSocket calls (one deadline for both); then ending the sessions aborts what still runs
    await mcpPath.inFlight.drain(config.server.shutdownGraceMs)
    await Promise.race([http.closeAll(), new Promise((resolve) => setTimeout(resolve, 1000).unref())])
    mcp.close()
  })
}, { name: 'mcp', dependencies: ['config', 'auth', 'rpc', 'sessions', 'persona', 'system', 'conversation', 'cards', 'websocket-rpc'] })
