import fp from 'fastify-plugin'
import { createDispatcher, type Dispatcher } from '../src/rpc/dispatcher.ts'
import { MethodRegistry } from '../src/rpc/registry.ts'
import { SERVER_VERSION } from '../src/version.ts'

declare module 'fastify' {
  interface FastifyInstance {
    rpc: { registry: MethodRegistry, dispatcher: Dispatcher }
  }
}

export interface RpcPluginOptions {
  /** check every result against its schema; tests turn it on */
  validateResults?: boolean
}

/** The one method registry every service adds its JSON-RPC methods to, and its dispatcher. */
export default fp<RpcPluginOptions>(async (app, opts) => {
  const registry = new MethodRegistry({ validateResults: opts.validateResults ?? false, version: SERVER_VERSION })
  const dispatcher = createDispatcher({ registry, log: app.log.child({ component: 'rpc' }) })
  app.decorate('rpc', { registry, dispatcher })
}, { name: 'rpc' })
