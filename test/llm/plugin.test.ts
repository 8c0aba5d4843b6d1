import t from 'tap'
import { createServer, type Server } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { buildWithClient } from '../helper.ts'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'

t.test('with Ollama up: system.models lists its models and /ready says the LLM is up', async (t) => {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const { app, client } = await buildWithClient(t, { ollama: { host: fixture.url } })

  const models = await client.request('system.models')
  t.same(models.result, {
    available_models: ['llama3.1:8b', 'nomic-embed-text:latest'],
    current_model: 'llama3.1:8b',
    provider: 'ollama',
    available: true,
  })
  const ready = await app.inject({ method: 'GET', url: '/ready' })
  t.match(ready.json(), { components: { llm: { status: 'up' } } })
  t.equal((await client.request('system.status')).result.llm_available, true)
  t.equal(app.llm.status().available, true)
})

t.test('with nothing at the host: start-up goes on, the LLM is down, replies fall back', async (t) => {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  await fixture.stop()
  const started = Date.now()
  const { app, client } = await buildWithClient(t, { ollama: { host: fixture.url } })
  t.ok(Date.now() - started < 3000, 'start-up not blocked')

  const ready = await app.inject({ method: 'GET', url: '/ready' })
  t.equal(ready.statusCode, 200, 'the LLM is not required for readiness')
  t.match(ready.json(), { components: { llm: { status: 'down', detail: /unreachable/ } } })
  t.equal((await client.request('system.status')).result.llm_available, false)
  t.match((await client.request('system.models')).result, { available_models: [], available: false, provider: 'ollama' })
  const reply = await app.llm.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 20 })
  t.equal(reply.responseType, 'fallback')
})

t.test('an Ollama that accepts but never answers holds start-up for the budget only', async (t) => {
  const sockets = new Set<Socket>()
  const blackhole: Server = createServer((socket) => { sockets.add(socket) })
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    blackhole.close()
  })
  const started = Date.now()
  const { app } = await buildWithClient(t, { ollama: { host: `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}` } })
  t.ok(Date.now() - started < 3000, 'start-up not blocked')
  t.match(app.llm.status(), { available: false, detail: /did not answer within/ })
})
