import t from 'tap'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { buildWithClient } from '../helper.ts'

// Ollama serves both the model and the embeddings; when it goes away after start-up, memory recall
// (a prompt section) cannot embed the message. The persona must still answer (a fallback line), not -32603.
t.test('a chat goes on when the embedder behind memory recall is down', async (t) => {
  const fixture = await startOllamaFixture({ embedDimensions: 32 })
  t.teardown(() => fixture.close())
  const { client } = await buildWithClient(t, { ollama: { host: fixture.url } })
  await client.call('persona.switch', { persona_id: 'aria' })
  const before = await client.call('persona.chat', { message: 'Tell me about the harbour lights' })
  t.equal(before.response_type, 'direct', 'Ollama answers while it is up')

  await fixture.stop()
  const reply = await client.request('persona.chat', { message: 'And the lighthouse keeper?' })
  t.notOk(reply.error, `no error while Ollama is down: ${JSON.stringify(reply.error)}`)
  t.equal(reply.result?.response_type, 'fallback', 'an in-character fallback reply')
  const history = await client.call('conversation.history', { persona_id: 'aria' })
  t.equal(history.total_turns ?? history.turn_count ?? history.messages.length / 2, 2, 'both turns are kept')
})
