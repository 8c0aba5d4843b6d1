import fp from 'fastify-plugin'
import { createChatMethods, createConversationMethods } from '../src/conversation/methods.ts'
import { createSessionExpiry } from '../src/conversation/expiry.ts'
import { createConversationService, type ConversationService } from '../src/conversation/service.ts'
import { createStreamRegistry } from '../src/conversation/streams.ts'
import { createThreadStore } from '../src/conversation/threads.ts'
import { parseThreadKey, threadKey } from '../src/events/invalidation.ts'
import { createInFlight } from '../src/transport/in-flight.ts'

declare module 'fastify' {
  interface FastifyInstance {
    conversations: ConversationService
  }
}

/** Chat with personas, their threads and summaries, and the expiry of idle sessions. */
export default fp(async (app) => {
  const { config, personas, sessions } = app
  const log = app.log.child({ component: 'conversation' })
  const threads = createThreadStore(app.store.conversations, config.session.maxContextMessages)
  const background = createInFlight()
  const conversations = createConversationService({ threads, llm: app.llm, personas, sessions, config, background, log })
  const streams = createStreamRegistry()
  app.decorate('conversations', conversations)
  // a persona's chats under way are cancelled and waited for before its rows go
  personas.onBeforeDelete((persona) => conversations.stopPersona(persona))

  // a turn stored here makes the copy of its thread another instance caches stale (a session served by two:
  // MCP HTTP copies, a WebSocket session resumed elsewhere); there it is dropped and read again when next used
  const announceThread = app.invalidation.announcer('thread')
  if (announceThread) conversations.onTurn(async ({ session, persona }) => { announceThread(threadKey(session.id, persona.id)) })
  app.invalidation.on('thread', (keys) => {
    for (const key of keys) {
      const thread = parseThreadKey(key)
      if (thread) threads.forget(thread.sessionId, thread.personaId)
    }
  })

  const deps = { conversations, threads, streams, personas, sessions, config }
  app.rpc.registry.add(...createChatMethods(deps), ...createConversationMethods(deps))

  app.scheduler.every('session-expiry', config.session.cleanupCron, createSessionExpiry({ sessions, conversations, timeoutHours: config.session.timeoutHours, log }))

  // summaries being written finish before the database closes (onClose: after the calls' grace period, and
  // timed by Fastify on their own, not added to the preClose hooks' time)
  app.addHook('onClose', async () => { await background.drain(config.server.shutdownGraceMs) })
}, { name: 'conversation', dependencies: ['config', 'db', 'rpc', 'llm', 'persona', 'sessions', 'scheduler'] })
