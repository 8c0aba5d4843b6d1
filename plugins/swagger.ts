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
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key with the admin scope (API_KEYS, or created under /admin/v1/api-keys)' },
        },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'personas', description: 'Create, inspect, change and delete personas' },
        { name: 'emotions', description: 'A persona\'s mood, energy, stress, curiosity and social battery' },
        { name: 'sessions', description: 'Every user\'s stored sessions: list, inspect, expire' },
        { name: 'conversations', description: 'User threads and persona-to-persona conversations, with transcripts' },
        { name: 'memories', description: 'Every user\'s memories: list, search, store, delete, statistics' },
        { name: 'memory maintenance', description: 'Pruning (soft, restorable), decay, and their settings' },
        { name: 'relationships', description: 'How personas feel about each other and about users' },
        { name: 'config', description: 'The effective configuration, and the memory settings that change at run time' },
        { name: 'users', description: 'A user\'s data: export everything stored about them (data rights)' },
        { name: 'api-keys', description: 'Create, list and revoke API keys (each key is a user)' },
        { name: 'system', description: 'Health, readiness and server status' },
      ],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } })
}, { name: 'swagger' })
