import t from 'tap'
import type { Test } from 'tap'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { buildWithClient } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'

async function setup (t: Test) {
  const fixture = await startOllamaFixture({ models: ['llama3.1:8b'] })
  t.teardown(() => fixture.close())
  const built = await buildWithClient(t, { ollama: { host: fixture.url } })
  const watcher = await RpcClient.connect(built.url)
  t.teardown(() => watcher.terminate())
  return { fixture, watcher, ...built }
}

t.test('a persona-to-persona conversation runs, is watched, and ends with cooldowns and a relationship', async (t) => {
  const { client, watcher, fixture, app } = await setup(t)
  const [aria, kira] = [app.personas.get('aria'), app.personas.get('kira')]
  // enough time and energy for a long talk: the test is about the conversation rules, not exhaustion
  for (const p of [aria, kira]) await app.personas.setState(p.id, (s) => ({ ...s, availableTime: 50_000, socialEnergy: 200 }))
  const started = await client.call('conversation.start', { persona1_id: 'Aria', persona2_id: 'kira', topic: 'magic', token_budget: 2000 })
  t.same(started, { conversation_id: started.conversation_id, participants: [aria.id, kira.id], topic: 'magic', started: true })
  const id = started.conversation_id
  t.same(await watcher.call('events.subscribe', { topics: [`conversation.${id}`, 'persona.*'] }), { subscribed: [`conversation.${id}`, 'persona.*'] })

  const run = await client.request('conversation.run', { max_turns: 20 }, 'run-1')
  const result = run.result
  t.ok(result.turns_taken >= 2 && result.turns_taken <= 20, `${result.turns_taken} turns`)
  t.ok(result.ended || result.turns_taken === 20, 'ended by score or budget, or ran its 20 turns')
  const speakers = result.turns.map((turn: { speaker_id: string }) => turn.speaker_id)
  t.same(speakers.slice(0, 2), [aria.id, kira.id], 'they take turns')
  const streamed = client.notifications.filter((n) => n.params?.request_id === 'run-1').map((n) => n.params.event_type)
  t.same(streamed, ['conversation_start', ...result.turns.map(() => 'conversation_turn'), 'conversation_complete'])
  t.ok(client.frames.findIndex((f) => f.id === 'run-1') > client.frames.findIndex((f) => f.params?.event_type === 'conversation_complete'), 'the response comes last')

  const prompts = fixture.requests.filter((r) => r.path === '/api/chat').map((r) => r.body.messages)
  t.match(prompts[0][0].content, /You are Aria[\s\S]*talking with Kira[\s\S]*about magic/, 'Aria speaks first, in character, on topic')
  t.match(prompts[1][0].content, /You are Kira[\s\S]*talking with Aria/)
  t.equal(prompts[1].at(-1).role, 'user', 'Kira hears Aria as the other voice')
  t.equal(prompts[1].at(-1).content, result.turns[0].content)

  const watched = watcher.notifications.filter((n) => n.method === 'events.event' && n.params.topic === `conversation.${id}`)
  t.equal(watched.filter((n) => n.params.event === 'turn').length, result.turns_taken, 'the watcher saw every turn')
  t.ok(watcher.notifications.some((n) => n.params.topic === `persona.${aria.id}` && n.params.event === 'state_changed'), 'and persona state changes')

  if (!result.ended) await client.call('conversation.end', { conversation_id: id })
  const status = await client.call('conversation.status', { conversation_id: id })
  t.equal(status.kind, 'persona')
  t.equal(status.status, 'ended')
  t.equal(status.should_continue, false)
  const again = await client.request('conversation.end', { conversation_id: id })
  t.equal(again.error?.code, -32006, 'ending twice is a conflict')

  const listed = await client.call('persona.list')
  for (const p of listed.personas) t.ok(p.cooldown_remaining > 0 && !p.available, `${p.name} cools down`)
  const refused = await client.request('conversation.start', { persona1_id: 'aria', persona2_id: 'kira' })
  t.equal(refused.error?.code, -32002, 'no new conversation during the cooldown')
  t.ok(refused.error?.data.retry_after > 0)

  const rel = await client.call('relationship.get', { persona1_id: 'kira', persona2_id: 'aria' })
  t.equal(rel.exists, true)
  t.equal(rel.relationship.interaction_count, 1)
  const remembered = await client.call('memory.search', { persona_id: 'kira', query: 'conversation with Aria about magic', n_results: 1 })
  t.match(remembered.memories[0], { content: /A conversation with Aria about magic/, related_personas: [aria.id], visibility: 'shared' })
})

t.test('a small budget ends the conversation by budget', async (t) => {
  const { client } = await setup(t)
  const { conversation_id } = await client.call('conversation.start', { persona1_id: 'aria', persona2_id: 'kira', token_budget: 120 })
  const result = await client.call('conversation.run', { conversation_id, max_turns: 20 })
  t.equal(result.ended, true)
  t.equal(result.end_reason, 'budget_exhausted')
  t.ok(result.turns.at(-1).tokens_remaining <= 50)
  const more = await client.request('conversation.turn', { conversation_id })
  t.equal(more.error?.code, -32006, 'an ended conversation takes no more turns')
  const missing = await client.request('conversation.turn', { conversation_id: 'nope' })
  t.equal(missing.error?.code, -32009)
  const self = await client.request('conversation.start', { persona1_id: 'aria', persona2_id: 'Aria' })
  t.equal(self.error?.code, -32006)
})

t.test('relationships, compatibility and moods by the numbers', async (t) => {
  const { client, fixture } = await setup(t)
  await client.call('persona.create', { name: 'Tam' })
  await client.call('persona.create', { name: 'Ulla' })
  const updated = await client.call('relationship.update', { persona1_id: 'Tam', persona2_id: 'Ulla', interaction_quality: 0.8, duration_minutes: 10, context: 'collaboration' })
  const r = updated.updated_relationship
  t.same([r.affinity, r.trust, r.respect, r.intimacy].map((x: number) => Number(x.toFixed(3))), [0.527, 0.621, 0.624, 0.519], 'section 5 worked example')
  t.equal(r.relationship_type, 'stranger')
  const bad = await client.request('relationship.update', { persona1_id: 'Tam', persona2_id: 'Ulla', interaction_quality: 3 })
  t.equal(bad.error?.code, -32602)
  const list = await client.call('relationship.list', { persona_id: 'ulla' })
  t.equal(list.total_relationships, 1)
  const stats = await client.call('relationship.stats')
  t.equal(stats.relationship_statistics.total_relationships, 1)

  const compat = await client.call('relationship.compatibility', { persona1_id: 'aria', persona2_id: 'kira' })
  t.match(compat.compatibility_analysis, { overall: 0.667, prediction: 'very_good', personality: 0.5, social: 0.82, interests: 0.85, history: 0.5 })
  t.same(compat.interaction_suggestions.recommended_topics, ['magic'])

  await client.call('persona.switch', { persona_id: 'aria' })
  const first = await client.call('emotional.get_state')
  t.match(first.emotional_state, { mood: 0.5, energy_level: 0.7, stress_level: 0.3, curiosity: 0.6, social_battery: 0.8 }, 'first read defaults')
  const set = await client.call('emotional.update_state', { mood: 5, stress_level: -1 })
  t.match(set.updated_state, { mood: 1, stress_level: 0 }, 'clamped to the ranges')
  await client.call('emotional.update_state', { mood: 0.2 })
  await client.call('persona.chat', { message: 'Thank you, that was a wonderful story! I love it. What happened next?' })
  const after = await client.call('emotional.get_state')
  t.ok(after.emotional_state.mood > 0.2, 'a warm turn lifts the mood')
  await client.call('persona.chat', { message: 'And then?' })
  const system = fixture.requests.filter((r) => r.path === '/api/chat').at(-1)?.body.messages[0].content
  t.match(system, /Your mood right now: /)
  t.match(system, /You have talked with this person 1 times/, 'the persona knows how it feels about this user')
})

t.test('state.save and state.load persist a session\'s state', async (t) => {
  const { client } = await setup(t)
  await client.call('persona.switch', { persona_id: 'kira' })
  const { conversation_id } = await client.call('conversation.start', { persona1_id: 'aria', persona2_id: 'kira', topic: 'history' })
  const saved = await client.call('state.save')
  t.match(saved.state, { current_persona_id: String, current_conversation_id: conversation_id, active_conversations: 1 })
  await client.call('session.clear')
  t.equal((await client.call('system.status')).current_persona, null)
  const loaded = await client.call('state.load')
  t.equal(loaded.state_loaded, true)
  t.equal(loaded.current_conversation_id, conversation_id)
  t.equal((await client.call('persona.status')).persona.name, 'Kira', 'the persona is back')
  t.equal((await client.call('conversation.status', { conversation_id })).kind, 'persona')
})
