import fp from 'fastify-plugin'
import { createConversationEngine, type ConversationEngine } from '../src/conversation/p2p/engine.ts'
import { createP2PMethods } from '../src/conversation/p2p/methods.ts'
import { createPersonaConversationStore } from '../src/conversation/p2p/store.ts'
import { judgeTurnQuality } from '../src/conversation/p2p-rules.ts'
import { joinUserChats, publishMoodChanges } from '../src/relationships/chat.ts'
import { createEmotionMethods } from '../src/relationships/emotion-methods.ts'
import { createEmotionService, type EmotionService } from '../src/relationships/emotion-service.ts'
import { createRelationshipMethods } from '../src/relationships/methods.ts'
import { createRelationshipService, type RelationshipService } from '../src/relationships/service.ts'
import { createSnapshotMethods } from '../src/sessions/snapshot-methods.ts'

declare module 'fastify' {
  interface FastifyInstance {
    relationships: RelationshipService
    emotions: EmotionService
    personaConversations: ConversationEngine
  }
}

/** Relationships, moods and persona-to-persona conversations, and how user chats move them. */
export default fp(async (app) => {
  const { config, store: repositories, personas, sessions, conversations, memory, events } = app
  const log = app.log.child({ component: 'relationship' })
  const { invalidation } = app
  const relationships = createRelationshipService({ repository: repositories.relationships, personas, rules: config.relationships, announce: invalidation.announcer('relationship') })
  const emotions = createEmotionService({ repository: repositories.emotions, rules: config.emotions, announce: invalidation.announcer('emotion') })
  invalidation.on('relationship', (keys) => { relationships.forgetPairs(keys) })
  invalidation.on('emotion', (ids) => { for (const id of ids) emotions.forget(id) })
  invalidation.on('user', (ids) => { for (const id of ids) relationships.forgetUser(id) })
  invalidation.onResync(() => { relationships.forgetAll(); emotions.forgetAll() })
  const store = createPersonaConversationStore(app.store.conversations)
  const engine = createConversationEngine({
    store, llm: app.llm, personas, relationships, events, rules: config.personaConversations, log,
    sections: () => conversations.promptSections(),
    remember: async ({ personaId, otherId, content, userId, conversationId }) => {
      const persona = personas.get(personaId)
      await memory.store({
        personaId, userId, content, memoryType: 'conversation', visibility: 'shared', relatedPersonas: [otherId],
        importance: memory.score(persona, content), metadata: { conversation_id: conversationId },
      })
    },
  })
  await store.loadActive()
  app.decorate('relationships', relationships)
  app.decorate('emotions', emotions)
  app.decorate('personaConversations', engine)

  app.rpc.registry.add(
    ...createRelationshipMethods({ relationships, personas, sessions }),
    ...createEmotionMethods({ emotions, personas, sessions }),
    ...createP2PMethods({ engine, threads: conversations.threads, personas, sessions, rules: config.personaConversations }),
    ...createSnapshotMethods({ sessions, personas, activeConversationIds: (userId) => app.store.conversations.activePersonaConversationIds(userId) }),
  )

  joinUserChats({ chat: conversations, relationships, emotions, judge: judgeTurnQuality, userTurnMinutes: config.relationships.userTurnMinutes })
  publishMoodChanges(emotions, events)
  personas.onRemoved((persona) => {
    relationships.forget(persona.id)
    emotions.forget(persona.id)
  })
  app.scheduler.every('emotion-regeneration', config.emotions.regenerationCron, async () => { await emotions.regenerateAll() })
  app.runtime.activeConversations = () => engine.activeCount()
}, { name: 'relationship', dependencies: ['config', 'db', 'rpc', 'events', 'llm', 'persona', 'sessions', 'conversation', 'memory', 'scheduler', 'system'] })
