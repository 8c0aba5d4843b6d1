import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { GenerateRequest, GenerateResult, LlmProvider } from './types.ts'

export interface GenerationLimits {
  /** generations running at once (a local model serves few in parallel) */
  maxConcurrent: number
  /** generations waiting for a slot; one more is refused at once with a clear error */
  maxQueue: number
}

/**
 * Bounds the generations in flight: extra ones wait in a bounded queue (a waiter whose client goes
 * away leaves it), and a full queue is refused with `busy` and a retry hint, never buffered without end.
 */
export function createLimitedLlm (inner: LlmProvider, { maxConcurrent, maxQueue }: GenerationLimits) {
  let running = 0
  const observers: Array<(result: GenerateResult) => void> = []
  const queue: Array<{ start: () => void, abandon: () => void }> = []

  const release = () => {
    running--
    const next = queue.shift()
    if (next) { running++; next.start() }
  }

  const slot = (signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
    if (running < maxConcurrent) { running++; resolve(); return }
    if (queue.length >= maxQueue) {
      reject(domainError(ErrorCode.Busy, `The model is busy: ${running} replies are being written and ${queue.length} wait; try again shortly`,
        { retry_after: 5, running, queued: queue.length }))
      return
    }
    const onAbort = () => {
      const index = queue.indexOf(waiter)
      if (index >= 0) queue.splice(index, 1)
      reject(domainError(ErrorCode.Cancelled, 'Generation cancelled while waiting for the model', { partial_response: '' }))
    }
    const waiter = { start: () => { signal?.removeEventListener('abort', onAbort); resolve() }, abandon: onAbort }
    signal?.addEventListener('abort', onAbort, { once: true })
    queue.push(waiter)
  })

  const limited: LlmProvider & { load (): { running: number, queued: number }, onGenerated (observer: (result: GenerateResult) => void): void } = {
    async generate (request: GenerateRequest): Promise<GenerateResult> {
      await slot(request.signal)
      try {
        const result = await inner.generate(request)
        for (const observe of observers) observe(result)
        return result
      } finally {
        release()
      }
    },
    /** every finished generation, for metrics */
    onGenerated: (observer) => { observers.push(observer) },
    status: () => inner.status(),
    listModels: () => inner.listModels(),
    close: () => inner.close(),
    load: () => ({ running, queued: queue.length }),
  }
  return limited
}

export type LimitedLlm = ReturnType<typeof createLimitedLlm>
