import { Ollama, type ChatRequest, type ChatResponse } from 'ollama'
import type { AppConfig } from '../config/index.ts'
import type { GenerateRequest, GenerateResult, LlmProvider, LlmStatus } from './types.ts'

export type LlmErrorKind = 'unreachable' | 'model_missing' | 'failed' | 'timeout' | 'aborted'

/** Every failure of the Ollama provider, typed so the resilient layer can decide: fallback, retry or rethrow. */
export class LlmError extends Error {
  readonly kind: LlmErrorKind
  /** text generated before the failure ('' when nothing came) */
  readonly partial: string
  constructor (kind: LlmErrorKind, message: string, options: { partial?: string, cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'LlmError'
    this.kind = kind
    this.partial = options.partial ?? ''
  }
}

export interface LlmLogger {
  debug (obj: object, msg?: string): void
  info (obj: object, msg?: string): void
  warn (obj: object, msg?: string): void
}

export interface ModelCheck {
  state: 'present' | 'missing' | 'unreachable'
  model: string
  /** the models Ollama has ([] when unreachable) */
  models: string[]
  detail?: string
}

export interface OllamaProvider extends LlmProvider {
  readonly model: string
  /** is the configured model there? with `ollama.pullMissing` a missing one is pulled first */
  checkModel (): Promise<ModelCheck>
}

/** Ollama treats `name` and `name:latest` as one model. */
export const sameModel = (a: string, b: string): boolean => (a.includes(':') ? a : `${a}:latest`) === (b.includes(':') ? b : `${b}:latest`)

// errors undici reports when nothing answers at the host (as the `cause` of "fetch failed")
const CONNECT_CODES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|UND_ERR_)/

/**
 * One signal for the caller's abort and our timeout. The timeout bounds the whole reply when not streamed,
 * and the first chunk and each gap between chunks when streamed (a long reply that keeps coming is not cut).
 * The client takes no signal for non-streamed calls and keeps its own for streams, so a per-request `fetch`
 * adds ours: aborting it really closes the HTTP request.
 */
function deadline (ms: number, outer?: AbortSignal) {
  const controller = new AbortController()
  let why: 'timeout' | 'aborted' | undefined
  const abort = (reason: 'timeout' | 'aborted') => { why ??= reason; controller.abort() }
  const onAbort = () => abort('aborted')
  let timer = setTimeout(() => abort('timeout'), ms)
  outer?.addEventListener('abort', onAbort, { once: true })
  if (outer?.aborted === true) onAbort()
  const fetchWith: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal })
  return {
    fetch: fetchWith,
    get why () { return why },
    cancel: () => controller.abort(),
    /** a stream made progress: the wait starts again */
    touch () { clearTimeout(timer); timer = setTimeout(() => abort('timeout'), ms) },
    done () { clearTimeout(timer); outer?.removeEventListener('abort', onAbort) },
  }
}

export function createOllamaProvider ({ config, log }: { config: AppConfig['ollama'], log: LlmLogger }): OllamaProvider {
  const { host, model, timeout } = config
  const closing = new AbortController()
  let available = false
  let detail: string | undefined = 'not checked yet'
  let pulling: Promise<void> | undefined

  const classify = (err: unknown, why: 'timeout' | 'aborted' | undefined, partial = ''): LlmError => {
    if (err instanceof LlmError) return err
    const e = err as Error & { status_code?: number, cause?: { code?: string } }
    if (why === 'timeout') return new LlmError('timeout', `Ollama did not answer within ${timeout} s`, { partial, cause: err })
    if (why === 'aborted') return new LlmError('aborted', 'generation aborted', { partial, cause: err })
    if (e.name === 'ResponseError' && e.status_code === 404 && /not found/i.test(e.message)) {
      return new LlmError('model_missing', e.message, { partial, cause: err })
    }
    if (e.message === 'fetch failed' && CONNECT_CODES.test(e.cause?.code ?? '')) {
      return new LlmError('unreachable', `Ollama unreachable at ${host} (${e.cause?.code})`, { partial, cause: err })
    }
    return new LlmError('failed', `Ollama failed: ${e.message}`, { partial, cause: err })
  }
  const settle = (up: boolean, why?: string) => { available = up; detail = why }

  async function generate (request: GenerateRequest): Promise<GenerateResult> {
    const started = performance.now()
    const d = deadline(timeout * 1000, request.signal)
    let text = ''
    try {
      const ollama = new Ollama({ host, fetch: d.fetch })
      // roles stay apart: Ollama's chat template frames system, user and assistant turns itself
      const chat: ChatRequest = {
        model,
        messages: request.messages,
        options: { temperature: config.temperature, top_p: config.topP, top_k: config.topK, num_predict: request.maxTokens },
      }
      let final: ChatResponse | undefined
      if (request.onChunk === undefined) {
        final = await ollama.chat({ ...chat, stream: false })
        text = final.message.content
      } else {
        for await (const part of await ollama.chat({ ...chat, stream: true })) {
          const fragment = part.message?.content ?? ''
          if (fragment !== '') { text += fragment; request.onChunk(fragment) }
          if (part.done) final = part
          d.touch()
        }
      }
      settle(true)
      return {
        text, responseType: 'direct', model: final?.model || model,
        tokensUsed: final?.eval_count ?? 0, promptTokens: final?.prompt_eval_count ?? 0,
        llmMs: Math.round(performance.now() - started),
      }
    } catch (err) {
      d.cancel() // a throwing onChunk or an error line leaves the response open otherwise
      const error = classify(err, d.why, text)
      if (error.kind !== 'aborted') settle(false, error.message)
      throw error
    } finally {
      d.done()
    }
  }

  async function listModels (): Promise<string[]> {
    const d = deadline(timeout * 1000, closing.signal)
    try {
      const { models } = await new Ollama({ host, fetch: d.fetch }).list()
      return models.map((m) => m.name)
    } catch (err) {
      throw classify(err, d.why)
    } finally {
      d.done()
    }
  }

  async function pull (): Promise<void> {
    log.info({ model }, 'pulling the missing model (ollama.pullMissing)')
    // no timeout: a pull takes minutes; close() stops it
    const ollama = new Ollama({ host, fetch: (input, init) => fetch(input, { ...init, signal: closing.signal }) })
    let last = ''
    for await (const progress of await ollama.pull({ model, stream: true })) {
      // coarse: one line per status and per quarter of each layer
      const percent = progress.total > 0 ? Math.floor((progress.completed / progress.total) * 4) * 25 : undefined
      const key = `${progress.status}|${percent}`
      if (key !== last) log.info({ model, status: progress.status, percent }, 'pull progress')
      last = key
    }
    log.info({ model }, 'model pulled')
  }

  async function checkModel (): Promise<ModelCheck> {
    let models: string[]
    try {
      models = await listModels()
    } catch (err) {
      settle(false, (err as Error).message)
      return { state: 'unreachable', model, models: [], detail: (err as Error).message }
    }
    if (!models.some((m) => sameModel(m, model)) && config.pullMissing) {
      try {
        await (pulling ??= pull().finally(() => { pulling = undefined }))
        models = await listModels()
      } catch (err) {
        log.warn({ err, model }, 'pulling the model failed')
      }
    }
    if (models.some((m) => sameModel(m, model))) {
      settle(true)
      return { state: 'present', model, models }
    }
    const why = `model "${model}" is not in Ollama at ${host}; run \`ollama pull ${model}\` or set ollama.pullMissing`
    settle(false, why)
    return { state: 'missing', model, models, detail: why }
  }

  return {
    model,
    generate,
    listModels,
    checkModel,
    status: (): LlmStatus => ({ provider: 'ollama', model, available, ...(detail === undefined ? {} : { detail }) }),
    async close () { closing.abort() },
  }
}
