import fp from 'fastify-plugin'
import type { AppConfig } from '../src/config/index.ts'

declare module 'fastify' {
  interface FastifyInstance {
    config: Readonly<AppConfig>
  }
}

export default fp<{ config: Readonly<AppConfig> }>(async (app, { config }) => {
  app.decorate('config', config)
}, { name: 'config' })
