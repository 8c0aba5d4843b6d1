import { domainError, ErrorCode } from '../rpc/errors.ts'
import { fallbackReply } from './fallback.ts'
import { LlmError, type LlmLogger, type ModelCheck } from './ollama.ts'
import type { GenerateRequest, GenerateResult, LlmProvider, LlmStatus } from './types.ts'

/** A provider that can say whether its model is there (the Ollama provider). */
export interface CheckableLlm extends LlmProvider {
  readonly model: string
  checkModel (): Promise<ModelCheck>
}

export interface ResilientLlm extends LlmProvider {
  /**
   * The start-up check. Waits at most `budgetMs`; if the primary has not answered by then the server
   * goes on with fallback replies and the check (and later re-checks) bring it up when Ollama answers.
   */
  start (budgetMs?: number): Promise<LlmStatus>
  /** called when replies switch to fallbacks (available: false) or back to the model; returns "stop watching" */
  onStateChange (listener: (change: LlmStateChange) => void): () => void
}

export interface LlmStateChange {
  available: boolean
  model: string
  /** why it went down; how long it was down when it came back */
  reason?: string
  downMs?: number
}

export interface ResilientOptions {
  primary: CheckableLlm
  log: LlmLogger
  /** how often a down primary is re-checked in the background */
  recheckMs: number
  now?: () => number
}

/**
 * The LLM the rest of the server uses: the primary while it is up, in-persona fallback replies while it
 * is down (no per-request calls to a dead host, so replies stay instant), and recovery on its own.
 */
export function createResilientLlm ({ primary, log, recheckMs, now = Date.now }: ResilientOptions): ResilientLlm {
  const { model } = primary
  let state: 'unknown' | 'up' | 'down' = 'unknown'
  let detail: string | undefined = 'checking Ollama'
  let downSince = 0
  let timer: NodeJS.Timeout | undefined
  let checking: Promise<void> | undefined
  let closed = false
  let turn = 0
  const listeners = new Set<(change: LlmStateChange) => void>()
  const tell = (change: LlmStateChange) => { for (const listener of listeners) listener(change) }

  function markDown (reason: string): void {
    detail = reason
    if (state !== 'down') {
      downSince = now()
      log.warn({ model, reason, recheckMs }, 'LLM unavailable: answering with fallback replies and re-checking in the background')
      tell({ available: false, model, reason })
    }
    state = 'down'
    if (closed || timer !== undefined) return
    timer = setTimeout(() => { timer = undefined; void recheck() }, recheckMs)
    timer.unref()
  }

  function markUp (): void {
    if (state === 'down') {
      log.info({ model, downMs: now() - downSince }, 'LLM recovered')
      tell({ available: true, model, downMs: now() - downSince })
    }
    state = 'up'
    detail = undefined
    clearTimeout(timer)
    timer = undefined
  }

  function recheck (): Promise<void> {
    // one check at a time: a slow start-up check and the timer share it
    checking ??= primary.checkModel()
      .then((result) => {
        if (closed) return
        if (result.state === 'present') markUp()
        else markDown(result.detail ?? `model ${result.state}`)
      }, (err: Error) => { if (!closed) markDown(err.message) })
      .finally(() => { checking = undefined })
    return checking
  }

  function fallback (request: GenerateRequest): GenerateResult {
    const text = fallbackReply(request.fallback, turn++)
    request.onChunk?.(text)
    return { text, responseType: 'fallback', tokensUsed: text.split(/\s+/).filter(Boolean).length, promptTokens: 0, llmMs: 0, model: 'fallback' }
  }

  const cancelled = (partial: string) => domainError(ErrorCode.Cancelled, 'Generation cancelled', { partial_response: partial })

  async function generate (request: GenerateRequest): Promise<GenerateResult> {
    const aborted = () => request.signal?.aborted === true
    if (aborted()) throw cancelled('')
    if (state === 'down') return fallback(request)
    let emitted = false
    const onChunk = request.onChunk && ((chunk: string) => { emitted = true; request.onChunk?.(chunk) })
    try {
      const result = await primary.generate({ ...request, onChunk })
      if (state !== 'up') markUp()
      return result
    } catch (err) {
      const error = err instanceof LlmError ? err : new LlmError('failed', (err as Error).message, { cause: err })
      if (error.kind === 'aborted' || aborted()) throw cancelled(error.partial)
      if (!emitted) {
        markDown(error.message)
        return fallback(request)
      }
      // the client already has part of a reply: a canned line now would contradict it
      if (error.kind === 'unreachable' || error.kind === 'timeout') markDown(error.message)
      throw domainError(ErrorCode.LlmUnavailable, `The LLM failed mid-reply: ${error.message}`, { partial_response: error.partial })
    }
  }

  const status = (): LlmStatus => ({ provider: 'ollama', model, available: state === 'up', ...(detail === undefined ? {} : { detail }) })

  return {
    generate,
    status,
    listModels: () => primary.listModels(),
    onStateChange (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    async start (budgetMs = 2000) {
      let budget: NodeJS.Timeout | undefined
      const late = await Promise.race([
        recheck().then(() => false),
        new Promise<boolean>((resolve) => { budget = setTimeout(() => resolve(true), budgetMs) }),
      ])
      clearTimeout(budget)
      if (late && state === 'unknown') markDown(`Ollama did not answer within ${budgetMs} ms`)
      return status()
    },
    async close () {
      closed = true
      clearTimeout(timer)
      await primary.close()
    },
  }
}
