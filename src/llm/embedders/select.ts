import type { AppConfig } from '../../config/index.ts'
import { sameModel } from '../ollama.ts'
import type { Embedder } from '../types.ts'
import { createHashingEmbedder } from './hashing.ts'
import { createOllamaEmbedder } from './ollama.ts'

export interface EmbedderLogger {
  info (obj: object, msg?: string): void
  warn (obj: object, msg?: string): void
}

// start-up must not hang on an Ollama that does not answer: the hashing embedder is always there
const PROBE_TIMEOUT_MS = 2000
// when the LLM's start-up check already found Ollama unavailable. Still asked, briefly: Ollama may be up with
// the embedding model but without the chat model, and a live Ollama lists its models in milliseconds.
const SHORT_PROBE_MS = 300

/**
 * Ollama's embedding model when Ollama answers and has it, else the local hashing embedder.
 * Decided once at start-up: switching later would change the embedder id under a running index.
 */
export async function selectEmbedder ({ config, log, ollamaUp = true }: { config: AppConfig['ollama'], log: EmbedderLogger, ollamaUp?: boolean }): Promise<Embedder> {
  const { host, embedModel } = config
  let why: string
  try {
    // the LLM's own start-up check already waited for Ollama: a second full wait would only double the delay
    const res = await fetch(new URL('/api/tags', host), { signal: AbortSignal.timeout(ollamaUp ? PROBE_TIMEOUT_MS : SHORT_PROBE_MS) })
    if (!res.ok) throw new Error(`GET /api/tags answered ${res.status}`)
    const { models = [] } = await res.json() as { models?: Array<{ name: string }> }
    if (models.some((m) => sameModel(m.name, embedModel))) {
      const embedder = await createOllamaEmbedder({ host, model: embedModel, timeoutMs: Math.max(PROBE_TIMEOUT_MS, config.timeout * 1000) })
      log.info({ embedder: embedder.id, host }, 'embeddings from Ollama')
      return embedder
    }
    why = `Ollama at ${host} has no model "${embedModel}" (ollama pull ${embedModel})`
  } catch (err) {
    why = `Ollama at ${host} did not answer: ${(err as Error).message}`
  }
  const embedder = createHashingEmbedder()
  log.warn({ embedder: embedder.id, reason: why }, 'embeddings from the local hashing embedder')
  return embedder
}
