import { Writable } from 'node:stream'
import type { Test } from 'tap'
import t from 'tap'
import { startOllamaFixture, type FixtureOptions } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'

// Races on one conversation over a real socket: chats sent together, clear and delete while a reply streams.

/** The real app against the fixture model, its log lines kept (warn and up) to look for errors. */
async function setup (t: Test, fixtureOptions: FixtureOptions = {}) {
  const fixture = await startOllamaFixture(fixtureOptions)
  t.teardown(() => fixture.close())
  const logs: Array<{ level: number, msg?: string, err?: unknown }> = []
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line)); done() } })
  const app = await build(t, { ollama: { host: fixture.url } }, { logger: { level: 'warn', stream } })
  const client = await RpcClient.connect(await listen(app))
  t.teardown(() => client.terminate())
  return { fixture, app, client, errors: () => logs.filter((l) => l.level >= 50) }
}

const streamEvents = (client: RpcClient, requestId: string) =>
  client.notifications.filter((n) => n.method === 'stream.event' && n.params.request_id === requestId).map((n) => n.params.event_type as string)

t.test('six chats sent together on a new thread get turns 1..6', async (t) => {
  const { client, errors } = await setup(t, { chunkDelayMs: 2 })
  await client.call('persona.switch', { persona_id: 'aria' })
  const replies = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => client.call('persona.chat', { message: `message number ${i}` })))
  t.same(replies.map((r) => r.turn_number).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6], 'turn numbers unique and dense')
  t.equal(new Set(replies.map((r) => r.conversation_id)).size, 1, 'one thread for the session and persona')
  const history = await client.call('conversation.history', { limit: 200 })
  t.equal(history.messages.length, 12)
  t.equal(history.total_turns, 6)
  t.same(errors(), [])
})

t.test('conversation.clear during a stream leaves a consistent thread', async (t) => {
  const { client, errors } = await setup(t, { chunkDelayMs: 30 })
  await client.call('persona.switch', { persona_id: 'aria' })
  for (let i = 0; i < 3; i++) await client.call('persona.chat', { message: `warm up ${i}` })
  const streaming = client.request('persona.chat_stream', { message: 'tell me a long story' }, 'clear-stream')
  await client.notification((n) => n.params?.request_id === 'clear-stream' && n.params.event_type === 'stream_chunk')
  const cleared = await client.call('conversation.clear', {})
  t.equal(cleared.cleared, true)
  const reply = await streaming
  const events = streamEvents(client, 'clear-stream')
  const outcome = events.at(-1)
  t.ok(outcome === 'stream_complete' || outcome === 'stream_cancelled', `the stream ends with a defined outcome (${outcome})`)
  if (reply.error) t.equal(reply.error.code, -32012, 'a stream stopped by the clear is cancelled')
  const history = await client.call('conversation.history', { limit: 200 })
  t.equal(history.total_turns * 2, history.messages.length, 'turn count matches the messages')
  t.ok(history.total_turns <= 1, `nothing from before the clear survives (${history.total_turns} turns)`)
  // the thread goes on cleanly after the clear
  const next = await client.call('persona.chat', { message: 'and now?' })
  t.equal(next.turn_number, history.total_turns + 1)
  const after = await client.call('conversation.history', { limit: 200 })
  t.equal(after.total_turns * 2, after.messages.length)
  t.same(errors(), [])
})

t.test('persona.delete during a stream cancels it with a domain code', async (t) => {
  const { client, errors } = await setup(t, { chunkDelayMs: 30 })
  const { persona_id: personaId } = await client.call('persona.create', { name: 'Ephemera', description: 'here today' })
  await client.call('persona.switch', { persona_id: personaId })
  await client.call('persona.chat', { message: 'hello there' })
  const streaming = client.request('persona.chat_stream', { message: 'tell me a long story' }, 'delete-stream')
  const chat = client.request('persona.chat', { message: 'and a plain chat in flight' })
  await client.notification((n) => n.params?.request_id === 'delete-stream' && n.params.event_type === 'stream_chunk')
  const deleted = await client.call('persona.delete', { persona_id: personaId })
  t.equal(deleted.deleted, true)
  const [reply, plain] = await Promise.all([streaming, chat])
  t.ok(reply.error, 'the stream does not complete')
  t.ok([-32012, -32000].includes(reply.error?.code ?? 0), `domain code, not -32603 (${reply.error?.code} ${reply.error?.message})`)
  t.ok([-32012, -32000].includes(plain.error?.code ?? 0), `the queued chat too (${plain.error?.code} ${plain.error?.message})`)
  t.equal(streamEvents(client, 'delete-stream').at(-1), 'stream_cancelled')
  const gone = await client.request('persona.get', { persona_id: personaId })
  t.equal(gone.error?.code, -32000, 'the persona is gone')
  const again = await client.request('persona.chat', { message: 'still there?' })
  t.ok(again.error && again.error.code !== -32603, 'a later chat gets a domain error')
  t.same(errors(), [], 'no error logged')
})

t.test('session expiry leaves a session alone while a chat is under way in it', async (t) => {
  // the model takes its time (a whole reply, not streamed): the chat is still under way when expiry runs
  const { app, errors } = await setup(t, { firstChunkDelayMs: 1500 })
  // a session no connection holds any more, with a chat still running in it (its socket just went away)
  const session = app.sessions.open({ id: 'user-gone', scope: 'client' }, 'conn-gone')
  app.sessions.release(session)
  const chatting = app.conversations.chat(session, app.personas.get('aria'), { message: 'a long story please', tokenBudget: 200 })
  const old = new Date(Date.now() - 25 * 3_600_000)
  // under way: its session row exists and the chat is counted as running in it
  for (let i = 0; i < 500 && !(app.conversations.busy(session.id) && await app.db.prisma.session.count({ where: { id: session.id } }) === 1); i++) await new Promise((r) => setTimeout(r, 10))
  t.ok(app.conversations.busy(session.id), 'the chat is under way')
  await app.db.prisma.session.update({ where: { id: session.id }, data: { lastActivityAt: old } })
  await app.scheduler.run('session-expiry')
  t.equal(await app.db.prisma.session.count({ where: { id: session.id } }), 1, 'kept while the chat runs')
  const done = await chatting
  t.equal(done.turnNumber, 1, 'the turn is stored')
  await app.scheduler.run('session-expiry')
  t.equal(await app.db.prisma.session.count({ where: { id: session.id } }), 0, 'expired once the chat is over')
  t.equal(await app.db.prisma.message.count({ where: { conversation: { sessionId: session.id } } }), 0)
  t.same(errors(), [])
})
