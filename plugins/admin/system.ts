import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { adminSystemStatus } from '../../src/system/admin.ts'
import { VectorIndexView } from '../../src/memory/schemas.ts'
import { adminSystemStatusSchema } from '../../src/system/schemas.ts'

/** /admin/v1/system: the server as a whole (system.status without a connection of its own). */
const systemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/system/status', {
    schema: { tags: ['system'], summary: 'Server status: uptime, load, personas, memory index and the state of every component', response: { 200: adminSystemStatusSchema(VectorIndexView) } },
  }, async () => adminSystemStatus(app))
}

export default systemRoutes
