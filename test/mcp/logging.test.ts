import t from 'tap'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import type { LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js'
import { connect, serve, until, type Kind } from './sdk-client.ts'

type Message = LoggingMessageNotification['params']

async function listening (t: Parameters<typeof connect>[0], url: string, kind: Kind = 'websocket') {
  const client = await connect(t, url, kind)
  const messages: Message[] = []
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { messages.push(n.params) })
  return { client, messages }
}

const event = (m: Message) => (m.data as { event?: string }).event
const chat = (client: Client, message: string) => client.callTool({ name: 'persona_chat', arguments: { message } }, undefined, { onprogress: () => {} })

t.test('logging/setLevel answers {} and the model going down and back is told, filtered by level', async (t) => {
  // no embedding model: memories use the local embedder, so only replies depend on Ollama being up
  const { app, url, fixture } = await serve(t, { ollama: { recheckSeconds: 0.05 } }, { models: ['llama3.1:8b'] })
  const { client, messages } = await listening(t, url)
  t.ok(client.getServerCapabilities()?.logging, 'the capability is declared')
  await client.callTool({ name: 'persona_switch', arguments: { persona_id: 'aria' } })

  // default level (notice): the fallback warning and the recovery notice both come
  await fixture.stop()
  t.match((await chat(client, 'are you there?')).structuredContent, { response_type: 'fallback' })
  t.ok(await until(() => messages.some((m) => event(m) === 'llm_fallback')), 'told when replies become fallbacks')
  t.match(messages.find((m) => event(m) === 'llm_fallback'), { level: 'warning', logger: 'persona-mcp', data: { message: /unavailable/ } })
  await fixture.start()
  t.ok(await until(() => messages.some((m) => event(m) === 'llm_recovered')), 'told when the model is back')
  t.match(messages.find((m) => event(m) === 'llm_recovered'), { level: 'notice' })

  // at "warning", the recovery notice is left out
  t.same(await client.setLoggingLevel('warning'), {})
  messages.length = 0
  await fixture.stop()
  await chat(client, 'still there?')
  t.ok(await until(() => messages.some((m) => event(m) === 'llm_fallback')))
  await fixture.start()
  t.ok(await until(() => app.llm.status().available), 'the model came back')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(messages.map(event), ['llm_fallback'], 'no notice below the level')

  // at "error", warnings are left out too
  await client.setLoggingLevel('error')
  messages.length = 0
  await fixture.stop()
  await chat(client, 'hello?')
  await fixture.start()
  t.ok(await until(() => app.llm.status().available))
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(messages, [], 'nothing below error')
  await t.rejects(client.setLoggingLevel('loud' as 'info'), { code: -32602 }, 'an unknown level is invalid params')
})

t.test('a reply cut off mid-stream is an error message to that session only', async (t) => {
  const { url, fixture } = await serve(t)
  const { client, messages } = await listening(t, url)
  const other = await listening(t, url)
  await client.callTool({ name: 'persona_switch', arguments: { persona_id: 'kira' } })
  fixture.set({ errorAfterChunks: 2 })
  const cut = await chat(client, 'tell me a long story')
  t.equal(cut.isError, true)
  t.ok(await until(() => messages.some((m) => event(m) === 'stream_cut')))
  t.match(messages.find((m) => event(m) === 'stream_cut'), { level: 'error', data: { tool: 'persona_chat', message: /cut off/ } })
  t.notOk(other.messages.some((m) => event(m) === 'stream_cut'), 'not another session\'s business')
})

t.test('a tool call refused by the rate limit is a warning on that call\'s stream (HTTP)', async (t) => {
  const { url } = await serve(t, { rateLimits: { enabled: true, connection: { perSecond: 0.01, burst: 3 }, key: { perSecond: 1000, burst: 1000 } } })
  const { client, messages } = await listening(t, url, 'http')
  const results = []
  for (let i = 0; i < 6; i++) results.push(await client.callTool({ name: 'ping', arguments: {} }))
  t.ok(results.some((r) => r.isError), 'some calls were refused')
  t.ok(await until(() => messages.some((m) => event(m) === 'rate_limited')), 'the session is told')
  t.match(messages.find((m) => event(m) === 'rate_limited'), { level: 'warning', data: { tool: 'ping', retry_after: Number } })
})
