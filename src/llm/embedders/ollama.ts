import { Ollama } from 'ollama'
import type { Embedder } from '../types.ts'

export interface OllamaEmbedderOptions {
  host: string
  model: string
  /** bounds each HTTP request to Ollama */
  timeoutMs: number
}

// Ollama embeds a batch per request; more than this per request only makes one slow request out of many.
const BATCH = 64

/** `ollama-<model>-<dims>` with anything Chroma or a file name would choke on replaced by '-'. */
export const ollamaEmbedderId = (model: string, dimensions: number): string =>
  `ollama-${model}-${dimensions}`.replace(/[^a-zA-Z0-9_-]/g, '-')

/**
 * An embedder on Ollama's /api/embed. The dimension is not in the model list, so one probe call
 * discovers it; the id carries it so collections of different models or sizes never mix.
 */
export async function createOllamaEmbedder ({ host, model, timeoutMs }: OllamaEmbedderOptions): Promise<Embedder> {
  // a per-request fetch: the client takes no signal for non-streamed calls, and a timeout must really close the request
  const ollama = new Ollama({
    host,
    fetch: (input, init) => {
      const timeout = AbortSignal.timeout(timeoutMs)
      return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout })
    },
  })

  async function request (texts: string[]): Promise<Float32Array[]> {
    const { embeddings } = await ollama.embed({ model, input: texts })
    if (embeddings.length !== texts.length) {
      throw new Error(`Ollama returned ${embeddings.length} embeddings for ${texts.length} texts`)
    }
    return embeddings.map((e) => Float32Array.from(e))
  }

  const [probe] = await request(['dimension probe'])
  const dimensions = probe?.length ?? 0
  if (dimensions === 0) throw new Error(`Ollama model "${model}" returned an empty embedding`)

  return {
    id: ollamaEmbedderId(model, dimensions),
    dimensions,
    async embed (texts) {
      const out: Float32Array[] = []
      for (let i = 0; i < texts.length; i += BATCH) {
        for (const vector of await request(texts.slice(i, i + BATCH))) {
          // a model swapped behind the same name must not slip vectors of another size into the collection
          if (vector.length !== dimensions) throw new Error(`Ollama model "${model}" returned ${vector.length} dimensions, expected ${dimensions}`)
          out.push(vector)
        }
      }
      return out
    },
  }
}
