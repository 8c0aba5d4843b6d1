import fp from 'fastify-plugin'
import { createDispatcher, type Dispatcher } from '../src/rpc/dispatcher.ts'
import { createDiscoverMethod } from '../src/rpc/openrpc.ts'
import { MethodRegistry } from '../src/rpc/registry.ts'
import { createRateLimiter, type RateLimiter } from '../src/limits/rate-limiter.ts'
import { SERVER_VERSION } from '../src/version.ts'

declare module 'fastify' {
  interface FastifyInstance {
    rpc: {
      registry: MethodRegistry
      dispatcher: Dispatcher
      onCall (listener: CallListener): void
      /** the one request rate limiter of every face (MCP too); undefined when rate limits are off */
      limiter: RateLimiter | undefined
    }
  }
}

export type CallListener = (method: string, outcome: 'ok' | 'error' | 'internal', seconds: number) => void

export interface RpcPluginOptions {
  /** check every result against its schema; tests turn it on */
  validateResults?: boolean
}

/** The one method registry every service adds its JSON-RPC methods to, and its dispatcher. */
export default fp<RpcPluginOptions>(async (app, opts) => {
  const registry = new MethodRegistry({ validateResults: opts.validateResults ?? false })
  registry.addSystem(createDiscoverMethod(registry, SERVER_VERSION))
  const { rateLimits } = app.config
  // per-key limits are cluster-wide totals: each instance takes its share of the live instances
  const limiter = rateLimits.enabled
    ? createRateLimiter({ perConnection: rateLimits.connection, perKey: rateLimits.key, instances: () => app.cluster.instances() })
    : undefined
  const listeners: CallListener[] = []
  const dispatcher = createDispatcher({
    registry,
    log: app.log.child({ component: 'rpc' }),
    admit: limiter && ((connection, count) => limiter.admit(connection, count)),
    observe: (method, outcome, seconds) => { for (const listener of listeners) listener(method, outcome, seconds) },
  })
  app.decorate('rpc', { registry, dispatcher, limiter, onCall: (listener: CallListener) => { listeners.push(listener) } })
}, { name: 'rpc', dependencies: ['config', 'db'] })
