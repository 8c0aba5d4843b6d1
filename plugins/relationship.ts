import fp from 'fastify-plugin'
import { createConversationEngine, type ConversationEngine } from '../src/conversation/p2p/engine.ts'
import { createP2PMethods } from '../src/conversation/p2p/methods.ts'
import { createPersonaConversationStore } from '../src/conversation/p2p/store.ts'
import { judgeTurnQuality } from '../src/conversation/p2p-rules.ts'
import { createEmotionMethods } from '../src/relationships/emotion-methods.ts'
import { createEmotionService, emotionView, type EmotionService } from '../src/relationships/emotion-service.ts'
import { moodWords } from '../src/relationships/emotions.ts'
import { createRelationshipMethods } from '../src/relationships/methods.ts'
import { createRelationshipRepository } from '../src/relationships/repository.ts'
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
  const { config, db, personas, sessions, conversations, memory, events } = app
  const log = app.log.child({ component: 'relationship' })
  const relationships = createRelationshipService({ repository: createRelationshipRepository(db.prisma, db.sqlite), personas, rules: config.relationships })
  const emotions = createEmotionService({ prisma: db.prisma, sqlite: db.sqlite, rules: config.emotions })
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

  // a user's chat turn moves how the persona feels about them, and its mood
  conversations.onTurn(async ({ persona, session, message, reply }) => {
    const quality = judgeTurnQuality(message, reply)
    const context = quality <= -0.3 ? 'conflict' : quality >= 0.3 ? 'casual' : 'conversation'
    await relationships.interact('user', persona.id, session.userId, { quality, minutes: config.relationships.userTurnMinutes, context })
    await emotions.afterTurn(persona.id, quality)
  })
  conversations.addPromptSection(async ({ persona, userId }) => (userId === '' ? undefined : relationships.feelingsAbout(persona.id, userId)))
  conversations.addPromptSection(async ({ persona }) => `Your mood right now: ${moodWords(await emotions.get(persona.id))}.`)

  personas.onRemoved((persona) => {
    relationships.forget(persona.id)
    emotions.forget(persona.id)
  })
  emotions.onChange((personaId, state) => {
    events.publish(`persona.${personaId}`, 'mood_changed', { persona_id: personaId, emotional_state: emotionView(state) }, 'public')
  })
  app.scheduler.every('emotion-regeneration', config.emotions.regenerationCron, async () => { await emotions.regenerateAll() })
  app.runtime.activeConversations = () => engine.activeCount()
}, { name: 'relationship', dependencies: ['config', 'db', 'rpc', 'events', 'llm', 'persona', 'sessions', 'conversation', 'memory', 'scheduler', 'system'] })
