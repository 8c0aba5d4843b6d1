import t, { type Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseConfig } from '../../src/config/index.ts'
import { fallbackLines } from '../../src/llm/fallback.ts'
import { createOllamaProvider } from '../../src/llm/ollama.ts'
import { createResilientLlm } from '../../src/llm/resilient.ts'
import type { ChatMessage, LlmProvider } from '../../src/llm/types.ts'
import { ErrorCode, RpcError } from '../../src/rpc/errors.ts'
import { startOllamaFixture, type OllamaFixture } from '../fixtures/ollama-server.ts'

function memoryLog () {
  const lines: Array<{ level: string, obj: Record<string, unknown>, msg?: string }> = []
  const at = (level: string) => (obj: object, msg?: string) => { lines.push({ level, obj: obj as Record<string, unknown>, msg }) }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn') }
}

function resilient (t: Test, fixture: OllamaFixture, ollama: Record<string, unknown> = {}) {
  const log = memoryLog()
  const config = parseConfig({ ollama: { host: fixture.url, ...ollama } }).ollama
  const llm = createResilientLlm({ primary: createOllamaProvider({ config, log }), log, recheckMs: 50 })
  t.teardown(() => llm.close())
  return { llm, log }
}

async function until (llm: LlmProvider, available: boolean, ms = 3000) {
  const end = Date.now() + ms
  while (llm.status().available !== available) {
    if (Date.now() > end) throw new Error(`status never became available=${available}`)
    await sleep(10)
  }
}

async function rpcError (promise: Promise<unknown>, code: ErrorCode): Promise<RpcError> {
  const err = await promise.then(() => undefined, (e: unknown) => e)
  if (!(err instanceof RpcError) || err.code !== code) throw new Error(`expected RpcError ${code}, got ${String(err)}`)
  return err
}

const messages: ChatMessage[] = [{ role: 'user', content: 'Tell me about the harbour' }]
const hint = { personaName: 'Aria', priority: 'social', socialEnergy: 150 }
const chats = (fixture: OllamaFixture) => fixture.requests.filter((r) => r.path === '/api/chat').length

t.test('fallback while Ollama is down, no per-request calls, recovery on its own', async (t) => {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const { llm, log } = resilient(t, fixture)
  t.match(await llm.start(), { provider: 'ollama', model: 'llama3.1:8b', available: true })
  t.equal((await llm.generate({ messages, maxTokens: 50, fallback: hint })).responseType, 'direct')

  await fixture.stop()
  const chunks: string[] = []
  const first = await llm.generate({ messages, maxTokens: 50, fallback: hint, onChunk: (c) => chunks.push(c) })
  t.equal(first.responseType, 'fallback')
  t.same(chunks, [first.text], 'a fallback streams as one chunk')
  t.ok(fallbackLines('varied', 'Aria').includes(first.text), 'in persona')
  t.match(first, { llmMs: 0, model: 'fallback', tokensUsed: first.text.split(/\s+/).length })
  t.match(llm.status(), { available: false, detail: /unreachable/ })
  const second = await llm.generate({ messages, maxTokens: 50, fallback: hint })
  t.not(second.text, first.text, 'lines vary')
  t.equal(log.lines.filter((l) => l.level === 'warn').length, 1, 'going down is logged once')

  await fixture.start()
  const before = chats(fixture)
  const third = await llm.generate({ messages, maxTokens: 50, fallback: { ...hint, priority: 'urgent' } })
  t.equal(third.responseType, 'fallback', 'still down until a re-check says otherwise')
  t.ok(fallbackLines('urgent', 'Aria').includes(third.text), 'urgent priority sounds hurried')
  t.equal(chats(fixture), before, 'a down primary is not called per request')

  await until(llm, true)
  t.ok(log.lines.some((l) => l.level === 'info' && l.msg === 'LLM recovered'))
  t.equal((await llm.generate({ messages, maxTokens: 50 })).responseType, 'direct')
})

t.test('a missing model or a failing server falls back; start-up reports why', async (t) => {
  const fixture = await startOllamaFixture({ status: 500 })
  t.teardown(() => fixture.close())
  const { llm } = resilient(t, fixture)
  const reply = await llm.generate({ messages, maxTokens: 50, fallback: { ...hint, socialEnergy: 20 } })
  t.equal(reply.responseType, 'fallback')
  t.ok(fallbackLines('tired', 'Aria').includes(reply.text), 'low energy sounds tired')

  const missing = resilient(t, fixture, { model: 'phi3' }).llm
  t.match(await missing.start(), { available: false, detail: /ollama pull phi3/ })
  fixture.set({ models: ['llama3.1:8b', 'phi3'] })
  await until(missing, true)
})

t.test('start-up does not wait for a slow Ollama beyond its budget', async (t) => {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  await fixture.stop()
  const { llm } = resilient(t, fixture)
  const started = Date.now()
  t.match(await llm.start(100), { available: false, detail: /unreachable/ })
  t.ok(Date.now() - started < 1000)
  await fixture.start()
  await until(llm, true)
})

t.test('failures after chunks went out are errors with the partial reply; aborts are cancellations', async (t) => {
  const fixture = await startOllamaFixture({ reply: () => 'a b c d e f', errorAfterChunks: 2 })
  t.teardown(() => fixture.close())
  const { llm } = resilient(t, fixture)
  await llm.start()
  const err = await rpcError(llm.generate({ messages, maxTokens: 50, onChunk: () => {} }), ErrorCode.LlmUnavailable)
  t.match(err.data, { reason: 'llm_unavailable', partial_response: 'a b ' })
  t.equal(llm.status().available, true, 'a generation error with the server answering does not mark it down')

  fixture.set({ errorAfterChunks: undefined, chunkDelayMs: 30 })
  const controller = new AbortController()
  const cancelled = await rpcError(llm.generate({
    messages, maxTokens: 50, signal: controller.signal, onChunk: () => controller.abort(),
  }), ErrorCode.Cancelled)
  t.match(cancelled.data, { reason: 'cancelled', partial_response: 'a ' })
  await sleep(30)
  t.equal(fixture.aborted, 1, 'the upstream request was closed')
  await rpcError(llm.generate({ messages, maxTokens: 50, signal: controller.signal }), ErrorCode.Cancelled)
})
