import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseConfig } from '../../src/config/index.ts'
import { createOllamaProvider, LlmError, sameModel, type LlmErrorKind } from '../../src/llm/ollama.ts'
import type { ChatMessage } from '../../src/llm/types.ts'
import { startOllamaFixture, type OllamaFixture } from '../fixtures/ollama-server.ts'

function memoryLog () {
  const lines: Array<{ level: string, obj: object, msg?: string }> = []
  const at = (level: string) => (obj: object, msg?: string) => { lines.push({ level, obj, msg }) }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn') }
}

function provider (fixture: OllamaFixture, ollama: Record<string, unknown> = {}) {
  const log = memoryLog()
  const config = parseConfig({ ollama: { host: fixture.url, ...ollama } }).ollama
  return { llm: createOllamaProvider({ config, log }), log }
}

const messages: ChatMessage[] = [
  { role: 'system', content: 'You are Aria, a bard.' },
  { role: 'user', content: 'Sing me a song about dragons' },
]

async function failure (promise: Promise<unknown>, kind: LlmErrorKind): Promise<LlmError> {
  const err = await promise.then(() => undefined, (e: unknown) => e)
  if (!(err instanceof LlmError)) throw new Error(`expected an LlmError, got ${String(err)}`)
  if (err.kind !== kind) throw new Error(`expected kind ${kind}, got ${err.kind}: ${err.message}`)
  return err
}

t.test('a whole reply over /api/chat with the model counts and configured options', async (t) => {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const { llm } = provider(fixture, { temperature: 0.3, topP: 0.8, topK: 20 })
  const result = await llm.generate({ messages, maxTokens: 500 })
  t.match(result.text, /^You said "Sing me a song" /)
  t.equal(result.responseType, 'direct')
  t.equal(result.tokensUsed, result.text.trim().split(/\s+/).length, 'eval_count')
  t.equal(result.promptTokens, 11, 'prompt_eval_count')
  t.equal(result.model, 'llama3.1:8b')
  t.ok(result.llmMs >= 0)
  const sent = fixture.requests.at(-1)
  t.equal(sent?.path, '/api/chat')
  t.same(sent?.body.messages, messages, 'roles stay apart, nothing concatenated')
  t.same(sent?.body.options, { temperature: 0.3, top_p: 0.8, top_k: 20, num_predict: 500 })
  t.equal(sent?.body.stream, false)
  t.equal(llm.status().available, true)
})

t.test('streaming: chunks in order, concatenated they are the reply; num_predict cuts it', async (t) => {
  const fixture = await startOllamaFixture({ reply: () => 'one two three four five six' })
  t.teardown(() => fixture.close())
  const { llm } = provider(fixture)
  const chunks: string[] = []
  const result = await llm.generate({ messages, maxTokens: 100, onChunk: (c) => chunks.push(c) })
  t.same(chunks, ['one ', 'two ', 'three ', 'four ', 'five ', 'six'])
  t.equal(chunks.join(''), result.text)
  t.equal(result.tokensUsed, 6)

  const cut = await llm.generate({ messages, maxTokens: 3, onChunk: () => {} })
  t.equal(cut.text, 'one two three ')
  t.equal(cut.tokensUsed, 3)
  t.equal(fixture.requests.at(-1)?.body.options.num_predict, 3, 'token_budget becomes num_predict')
  t.equal((await llm.generate({ messages, maxTokens: 2 })).text, 'one two ', 'non-streamed too')
})

t.test('failures are typed', async (t) => {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())

  const missing = provider(fixture, { model: 'mistral:7b' }).llm
  const err = await failure(missing.generate({ messages, maxTokens: 10 }), 'model_missing')
  t.match(err.message, /model "mistral:7b" not found/)
  t.equal(missing.status().available, false)

  const { llm } = provider(fixture)
  fixture.set({ errorAfterChunks: 3, reply: () => 'a b c d e f' })
  const chunks: string[] = []
  const midStream = await failure(llm.generate({ messages, maxTokens: 50, onChunk: (c) => chunks.push(c) }), 'failed')
  t.equal(midStream.partial, 'a b c ', 'what came before the error line')
  t.same(chunks, ['a ', 'b ', 'c '])

  fixture.set({ errorAfterChunks: undefined, status: 500 })
  t.match((await failure(llm.generate({ messages, maxTokens: 50 }), 'failed')).message, /llama runner process has terminated/)

  fixture.set({ status: undefined, firstChunkDelayMs: 2000 })
  const slow = provider(fixture, { timeout: 0.2 }).llm
  const started = Date.now()
  await failure(slow.generate({ messages, maxTokens: 50, onChunk: () => {} }), 'timeout')
  await failure(slow.generate({ messages, maxTokens: 50 }), 'timeout')
  t.ok(Date.now() - started < 1500, 'the timeout cut both waits short')
  await sleep(30)
  t.equal(fixture.aborted, 2, 'a timeout closes the upstream request')

  fixture.set({ firstChunkDelayMs: 0, chunkDelayMs: 100, reply: () => 'a b c d e f' })
  t.equal((await slow.generate({ messages, maxTokens: 50, onChunk: () => {} })).text, 'a b c d e f', 'a stream that keeps coming is not cut')
  fixture.set({ chunkDelayMs: 400 })
  t.equal((await failure(slow.generate({ messages, maxTokens: 50, onChunk: () => {} }), 'timeout')).partial, 'a ', 'a stalled stream is')
  fixture.set({ chunkDelayMs: 0 })

  await fixture.stop()
  const refused = await failure(llm.generate({ messages, maxTokens: 50 }), 'unreachable')
  t.match(refused.message, /ECONNREFUSED/)
  await failure(llm.listModels(), 'unreachable')
})

t.test('an abort through the signal closes the upstream request', async (t) => {
  const fixture = await startOllamaFixture({ chunkDelayMs: 40 })
  t.teardown(() => fixture.close())
  const { llm } = provider(fixture)
  const controller = new AbortController()
  const chunks: string[] = []
  const pending = llm.generate({
    messages, maxTokens: 100, signal: controller.signal,
    onChunk: (c) => { chunks.push(c); if (chunks.length === 2) controller.abort() },
  })
  const err = await failure(pending, 'aborted')
  t.equal(err.partial, chunks.join(''))
  await sleep(30)
  t.equal(fixture.aborted, 1)

  const whole = new AbortController()
  fixture.set({ firstChunkDelayMs: 500 })
  setTimeout(() => whole.abort(), 50)
  await failure(llm.generate({ messages, maxTokens: 100, signal: whole.signal }), 'aborted')
  await sleep(30)
  t.equal(fixture.aborted, 2, 'non-streamed requests are closed as well')
  await failure(llm.generate({ messages, maxTokens: 100, signal: whole.signal }), 'aborted')
})

t.test('models: list and the start-up check, with and without pulling', async (t) => {
  const fixture = await startOllamaFixture({ models: ['llama3.1:8b', 'nomic-embed-text'] })
  t.teardown(() => fixture.close())
  const { llm } = provider(fixture)
  t.same(await llm.listModels(), ['llama3.1:8b', 'nomic-embed-text:latest'])
  t.match(await llm.checkModel(), { state: 'present', model: 'llama3.1:8b' })
  t.ok(sameModel('nomic-embed-text', 'nomic-embed-text:latest'))

  const absent = provider(fixture, { model: 'phi3' }).llm
  const check = await absent.checkModel()
  t.match(check, { state: 'missing', model: 'phi3' })
  t.match(check.detail, /ollama pull phi3/)

  const pulling = provider(fixture, { model: 'phi3', pullMissing: true })
  t.match(await pulling.llm.checkModel(), { state: 'present' })
  t.ok(fixture.requests.some((r) => r.path === '/api/pull' && r.body.name === 'phi3'))
  t.ok(pulling.log.lines.some((l) => l.msg === 'model pulled'))
  t.ok(pulling.log.lines.filter((l) => l.msg === 'pull progress').length <= 10, 'progress is logged coarsely')
  t.equal(pulling.llm.status().available, true)

  await fixture.stop()
  t.match(await llm.checkModel(), { state: 'unreachable', models: [] })
  t.equal(llm.status().available, false)
  await llm.close()
})
