import fp from 'fastify-plugin'
import { Type } from '@sinclair/typebox'
import { createOllamaProvider } from '../src/llm/ollama.ts'
import { createLimitedLlm, type LimitedLlm } from '../src/llm/limited.ts'
import { createResilientLlm, type ResilientLlm } from '../src/llm/resilient.ts'
import { defineMethod } from '../src/rpc/method.ts'

declare module 'fastify' {
  interface FastifyInstance {
    llm: LimitedLlm
    /** the model going down (fallback replies) and coming back: MCP sessions are told */
    llmStateChanges: ResilientLlm['onStateChange']
  }
}

/** how long start-up waits for Ollama before going on with fallback replies */
const STARTUP_BUDGET_MS = 2000

/** The LLM (Ollama with in-persona fallback replies), its health check and system.models. */
export default fp(async (app) => {
  const config = app.config.ollama
  const log = app.log.child({ component: 'llm', host: config.host })
  const primary = createOllamaProvider({ config, log })
  const llm = createResilientLlm({ primary, log, recheckMs: config.recheckSeconds * 1000 })
  app.decorate('llm', createLimitedLlm(llm, config))
  app.decorate('llmStateChanges', llm.onStateChange)
  app.addHook('onClose', async () => { await llm.close() })

  // a slow or absent Ollama must not hold the server back: the re-checks take over after the budget
  // (when it is down, the resilient layer has already logged why, once)
  const first = await llm.start(STARTUP_BUDGET_MS)
  if (first.available) log.info({ model: config.model }, 'LLM ready: replies come from Ollama')

  app.health.add('llm', () => {
    const { available, model, detail } = llm.status()
    return available ? { status: 'up', detail: `ollama ${model}` } : { status: 'down', detail: detail ?? 'unavailable' }
  }, { required: false })

  app.rpc.registry.add(defineMethod({
    name: 'system.models',
    description: 'The models the Ollama server has, the model replies come from, and whether it is available.',
    readOnly: true,
    params: Type.Object({}),
    result: Type.Object({
      available_models: Type.Array(Type.String(), { description: 'Ollama /api/tags names; [] when Ollama cannot be reached' }),
      current_model: Type.String(),
      provider: Type.Literal('ollama'),
      available: Type.Boolean({ description: 'false while replies are canned fallbacks' }),
    }),
    handler: async () => {
      const models = await llm.listModels().catch(() => [])
      return { available_models: models, current_model: config.model, provider: 'ollama' as const, available: llm.status().available }
    },
  }))
}, { name: 'llm', dependencies: ['config', 'rpc', 'system'] })
