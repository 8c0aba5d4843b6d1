import fp from 'fastify-plugin'
import { createCardMethods } from '../src/cards/methods.ts'
import { createCardService, type CardService } from '../src/cards/service.ts'
import { createUserData, type UserData } from '../src/users/data.ts'
import { createUserMethods } from '../src/users/methods.ts'

declare module 'fastify' {
  interface FastifyInstance {
    cards: CardService
    /** a user's data: export and erase */
    userData: UserData
  }
}

/** Character cards (and a user's data rights, which cards made pressing): import/export methods, and each card persona's texts and lore in its prompt. */
export default fp(async (app) => {
  const cards = createCardService({ sqlite: app.db.sqlite, personas: app.personas, memory: app.memory })
  app.decorate('cards', cards)
  app.rpc.registry.add(...createCardMethods({ cards, personas: app.personas }))
  const userData = createUserData({ sqlite: app.db.sqlite, index: app.vectors, log: app.log.child({ component: 'users' }) })
  app.decorate('userData', userData)
  app.rpc.registry.add(...createUserMethods({ data: userData }))
  app.conversations.addPromptSection((context) => cards.promptSection(context))
}, { name: 'cards', dependencies: ['db', 'rpc', 'persona', 'conversation', 'memory', 'vector'] })
