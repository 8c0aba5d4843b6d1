import fp from 'fastify-plugin'
import { createUserMethods } from '../src/users/methods.ts'
import { createUserDataService, type UserDataService } from '../src/users/service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** a user's data: export and erase */
    userData: UserDataService
  }
}

/** A user's data rights: user.export and user.erase over every table, and the vector index. */
export default fp(async (app) => {
  // the other instances drop the erased user's keys and relationships too (plugins/auth.ts, relationship.ts)
  const announceErased = app.invalidation.announcer('user')
  const userData = createUserDataService({
    repository: app.store.userData,
    index: app.vectors,
    disowned: (ids) => app.personas.disowned(ids),
    // the relationship plugin registers later: looked up when a user is erased
    erased: async (userId) => {
      await app.auth.forgetUser(userId)
      app.relationships.forgetUser(userId)
      // the MCP plugin registers later too; its sessions' records went with the rows
      if (app.hasDecorator('mcpHttp')) await app.mcpHttp.closeUser(userId)
      announceErased?.(userId)
    },
    log: app.log.child({ component: 'users' }),
  })
  app.decorate('userData', userData)
  app.rpc.registry.add(...createUserMethods({ data: userData }))
}, { name: 'users', dependencies: ['db', 'auth', 'rpc', 'persona', 'vector'] })
