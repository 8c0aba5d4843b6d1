import t from 'tap'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'

// conversation.history answers its newest page from the messages the thread keeps in memory when they hold
// it, and from the database otherwise: both must give the same page, before and after a restart.

interface Entry { turn_number: number, role: string, content: string, tokens: number, processing_time: number, response_type: string | null, created_at: string }
type History = { conversation_id: string, messages: Entry[], total_turns: number, has_more: boolean }

t.test('the newest page from memory is the page the database gives, across a restart', async (t) => {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const dataDir = t.testdir()
  // a window of 6 messages in memory: pages of up to 6 come from it, longer ones from the database
  const config = { server: { dataDir }, ollama: { host: fixture.url }, session: { maxContextMessages: 6 } }
  const first = await build(t, config)
  const client = await RpcClient.connect(await listen(first))
  await client.call('persona.switch', { persona_id: 'aria' })
  const { persona: { id } } = await client.call('persona.status')
  await first.personas.setState(id, (s) => ({ ...s, availableTime: 1_000_000 }))
  for (let i = 1; i <= 5; i++) await client.call('persona.chat', { message: `message ${i}` })

  const page = (c: RpcClient, params: Record<string, unknown>): Promise<History> => c.call('conversation.history', params)
  // before_turn past the last turn: the same newest page, always read from the database
  const stored = (c: RpcClient, limit: number) => page(c, { limit, before_turn: 1_000_000 })

  const warm = await page(client, { limit: 4 })
  t.same(warm, await stored(client, 4), 'from memory as from the database')
  t.same(warm.messages.map((m) => [m.turn_number, m.role, m.content.startsWith('message') ? m.content : 'reply']),
    [[4, 'user', 'message 4'], [4, 'persona', 'reply'], [5, 'user', 'message 5'], [5, 'persona', 'reply']], 'oldest first, user before persona')
  t.equal(warm.has_more, true)
  t.ok(warm.messages[3].tokens > 0 && warm.messages[3].response_type === 'direct' && warm.messages[3].processing_time > 0, 'the reply\'s own figures')
  t.same(await page(client, { limit: 10 }), await stored(client, 10), 'a page longer than the window')
  t.equal((await page(client, { limit: 10 })).has_more, false)
  t.same(await page(client, { limit: 10, before_turn: 3 }), { ...await stored(client, 10), messages: (await stored(client, 10)).messages.slice(0, 4), has_more: false }, 'paging back')
  const { session_id } = await client.call('session.get_info')
  const chatted = await page(client, { limit: 6 })
  client.terminate()
  await first.close()

  const second = await build(t, config)
  const again = await RpcClient.connect(await listen(second))
  t.teardown(() => again.terminate())
  await again.call('session.resume', { session_id })
  t.same(await page(again, { limit: 6 }), chatted, 'a cold thread read for history is the same thread')
  t.same(await page(again, { limit: 6 }), await stored(again, 6))

  await again.call('persona.chat', { message: 'message 6' })
  const after = await page(again, { limit: 2 })
  t.same(after.messages.map((m) => m.turn_number), [6, 6], 'the new turn is in the page at once')
  t.same(after, await stored(again, 2))
  await again.call('conversation.clear')
  t.same((await page(again, { limit: 6 })).messages, [], 'cleared in memory too')
})

t.test('session.get_info: the stored times, without reading the row each time', async (t) => {
  const app = await build(t)
  const client = await RpcClient.connect(await listen(app))
  t.teardown(() => client.terminate())
  const info = await client.call('session.get_info')
  const row = await app.db.prisma.session.findUniqueOrThrow({ where: { id: info.session_id } })
  t.equal(info.created_at, row.createdAt.toISOString(), 'stored when its id is handed out')
  t.equal(info.last_activity, row.lastActivityAt.toISOString())
  await client.call('persona.switch', { persona_id: 'kira' })
  const switched = await client.call('session.get_info')
  const after = await app.db.prisma.session.findUniqueOrThrow({ where: { id: info.session_id } })
  t.equal(switched.last_activity, after.lastActivityAt.toISOString(), 'a persona switch is activity, as stored')
  t.same(switched.current_persona, { id: after.currentPersonaId, name: 'Kira' })
  t.equal(switched.created_at, info.created_at)
})
