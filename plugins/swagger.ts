import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { SERVER_NAME, SERVER_VERSION } from '../src/version.ts'

/** OpenAPI 3 document of every route registered after this plugin, at /docs/json, and Swagger UI at /docs. */
export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: `${SERVER_NAME} admin API`,
        version: SERVER_VERSION,
        description: 'Operate the persona server: personas, sessions, memories, relationships, configuration. ' +
          'The conversational API is JSON-RPC 2.0 over WebSocket at /mcp (its OpenRPC document: the rpc.discover method).',
      },
      tags: [
        { name: 'personas', description: 'Create, inspect, change and delete personas' },
        { name: 'system', description: 'Health and readiness' },
      ],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } })
}, { name: 'swagger' })
