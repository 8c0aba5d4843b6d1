import fp from 'fastify-plugin'
import { createCardMethods } from '../src/cards/methods.ts'
import { createCardService, type CardService } from '../src/cards/service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    cards: CardService
  }
}

/** Character cards: import/export methods, and each card persona's texts and lore in its prompt. */
export default fp(async (app) => {
  const cards = createCardService({ repository: app.store.cards, personas: app.personas, memory: app.memory })
  app.decorate('cards', cards)
  app.rpc.registry.add(...createCardMethods({ cards, personas: app.personas }))
  app.conversations.addPromptSection((context) => cards.promptSection(context))
  app.conversations.addOpening((persona, conversationId) => cards.greeting(persona, conversationId))
}, { name: 'cards', dependencies: ['db', 'rpc', 'persona', 'conversation', 'memory'] })
