import type { Test } from 'tap'
import t from 'tap'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, buildWithClient, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'

// The memory API end to end: over a real socket, real SQLite, the local vector index.

async function memoryApp (t: Test, overrides: Record<string, Record<string, unknown>> = {}) {
  const fixture = await startOllamaFixture({ models: ['llama3.1:8b'] })
  t.teardown(() => fixture.close())
  const built = await buildWithClient(t, { ...overrides, ollama: { host: fixture.url } })
  await built.client.call('persona.switch', { persona_id: 'aria' })
  return { fixture, ...built }
}

t.test('chat turns become scored memories that search finds by meaning', async (t) => {
  const { client } = await memoryApp(t)
  await client.call('persona.chat', { message: 'I love playing the lute in crowded taverns' })
  await client.call('persona.chat', { message: 'The harvest tax is due before the winter solstice' })
  const stats = await client.call('memory.stats')
  t.equal(stats.total_memories, 2)
  t.same(stats.memory_types, { conversation: 2 })
  const found = await client.call('memory.search', { query: 'she plays lute music at the tavern', n_results: 2 })
  t.equal(found.result_count, 2)
  t.match(found.memories[0].content, /lute/, 'the paraphrase ranks before unrelated text')
  t.ok(found.memories[0].similarity > found.memories[1].similarity)
  for (const m of found.memories) t.ok(m.importance >= 0.51 && m.importance <= 0.8, `chat memories score in 0.51-0.80 (${m.importance})`)
  const again = await client.call('memory.search', { query: 'lute tavern', n_results: 1 })
  t.ok(again.memories[0].accessed_count >= 1, 'searching counts as an access')

  const stored = await client.call('memory.store', { content: 'Aria once played for the queen', importance: 0.95, visibility: 'public', memory_type: 'fact' })
  t.same(stored, { memory_id: stored.memory_id, stored: true, importance: 0.95 })
  const facts = await client.call('memory.search', { query: 'queen', memory_type: 'fact', min_importance: 0.9 })
  t.same(facts.memories.map((m: { id: string }) => m.id), [stored.memory_id], 'filters by type and importance')
  const invalid = await client.request('memory.store', { content: 'x', importance: 2 })
  t.equal(invalid.error?.code, -32602)
  const listed = await client.call('persona.memory', { query: '' })
  t.equal(listed.total_found, 3)
})

t.test('a persona recalls a fact from many turns back, in a later session', async (t) => {
  const { client, url, fixture, app } = await memoryApp(t)
  await app.personas.setState('aria', (s) => ({ ...s, availableTime: 100_000 }))
  await client.call('persona.chat', { message: 'My name is Orin and I keep bees in Dunmore' })
  for (let i = 0; i < 25; i++) await client.call('persona.chat', { message: `What a lovely song number ${i}, play another one` })
  client.terminate()
  const later = await RpcClient.connect(url)
  t.teardown(() => later.terminate())
  await later.call('persona.switch', { persona_id: 'aria' })
  await later.call('persona.chat', { message: 'Do you remember where I keep my bees?' })
  const prompt = fixture.requests.filter((r) => r.path === '/api/chat').at(-1)?.body.messages
  t.equal(prompt.length, 2, 'a new session starts a new thread')
  t.match(prompt[0].content, /Things you remember[\s\S]*Orin and I keep bees in Dunmore/, 'the old fact is in the prompt')
})

t.test('users never see each other\'s memories', async (t) => {
  const app = await build(t)
  const aria = app.personas.get('aria')
  await app.memory.store({ personaId: aria.id, userId: 'alice', content: 'Alice hides her savings under the oak tree' })
  await app.memory.store({ personaId: aria.id, userId: 'bob', content: 'Bob buried gold under the old oak tree' })
  await app.memory.store({ personaId: aria.id, userId: null, content: 'Aria planted an oak tree as a child' })
  await app.memory.store({ personaId: aria.id, userId: 'carol', content: 'The oak tree festival is open to all', visibility: 'public' })
  const seen = (await app.memory.search({ personaIds: [aria.id], userId: 'alice', query: 'oak tree', limit: 10 })).map((h) => h.content)
  t.ok(seen.some((c) => c.startsWith('Alice')), 'her own')
  t.ok(seen.some((c) => c.startsWith('Aria planted')), 'the persona\'s own')
  t.ok(seen.some((c) => c.startsWith('The oak tree festival')), 'public ones')
  t.notOk(seen.some((c) => c.startsWith('Bob')), 'never another user\'s private memory')
  const section = await app.memory.promptSection({ persona: aria, userId: 'alice', message: 'gold under the oak', conversationId: 'none', firstTurnInPrompt: 1 })
  t.notMatch(section ?? '', /Bob/, 'nor in her prompts')
})

t.test('pruning is safe and a restore is exact', async (t) => {
  const { client, app } = await memoryApp(t)
  t.same((await client.call('memory.prune')).status, 'no_pruning_needed')
  const config = await client.call('memory.set_pruning_config', {
    max_memories: 20, target_count: 12, min_memories: 5, batch_size: 50, protect_younger_than_hours: 0, protect_accessed_within_hours: 0,
  })
  t.equal(config.config.target_count, 12)
  const aria = app.personas.get('aria')
  for (let i = 0; i < 30; i++) {
    await app.memory.store({ personaId: aria.id, userId: 'anonymous', content: `note ${i}`, importance: i < 15 ? 0.2 + i / 100 : 0.9 })
  }
  const before = app.db.sqlite.prepare('SELECT id, content, importance, baseImportance, accessCount FROM Memory ORDER BY id').all()
  const recommendation = await client.call('memory.prune_recommendations')
  t.equal(recommendation.recommendations.needs_pruning, true)
  const result = await client.call('memory.prune')
  t.equal(result.status, 'pruning_completed')
  t.equal(result.memories_pruned, 15, 'down to the target of 12? no: only the 15 below the threshold could go, and 30 - 18 = 12')
  t.ok(result.average_importance_pruned < 0.6)
  const left = app.db.sqlite.prepare('SELECT importance FROM Memory WHERE prunedAt IS NULL').all() as Array<{ importance: number }>
  t.ok(left.every((m) => m.importance >= 0.6), 'nothing at or above the threshold was pruned')
  const hits = await client.call('memory.search', { query: 'note 3', n_results: 50 })
  t.ok(hits.memories.every((m: { importance: number }) => m.importance >= 0.6), 'pruned memories are not searchable')
  t.equal((await client.call('memory.prune_stats')).pruning_statistics.total_memories_pruned, 15)

  const restored = await client.call('memory.restore', { prune_run_id: result.prune_run_id })
  t.equal(restored.memories_restored, 15)
  const after = app.db.sqlite.prepare('SELECT id, content, importance, baseImportance, accessCount FROM Memory ORDER BY id').all()
  const pruned = new Set((app.db.sqlite.prepare('SELECT id FROM Memory WHERE pruneRunId = ?').all(result.prune_run_id) as Array<{ id: string }>).map((r) => r.id))
  const only = (rows: unknown[]) => (rows as Array<{ id: string }>).filter((r) => pruned.has(r.id))
  t.equal(pruned.size, 15)
  t.same(only(after), only(before), 'every pruned row exactly as it was')
  t.equal((await client.call('memory.search', { query: 'note 3', n_results: 50 })).result_count, 30, 'and searchable again')
  const unknown = await client.request('memory.restore', { prune_run_id: 'nope' })
  t.equal(unknown.error?.code, -32010)
})

t.test('decay runs on demand, settings are validated and survive a restart', async (t) => {
  const fixture = await startOllamaFixture({ models: ['llama3.1:8b'] })
  t.teardown(() => fixture.close())
  const dataDir = t.testdir()
  const first = await build(t, { server: { dataDir }, ollama: { host: fixture.url } })
  const client = await RpcClient.connect(await listen(first))
  const aria = first.personas.get('aria')
  const old = Date.now() - 30 * 86_400_000
  const { id } = await first.memory.store({ personaId: aria.id, userId: 'anonymous', content: 'an old memory', importance: 0.8 })
  first.db.sqlite.prepare('UPDATE Memory SET createdAt = ? WHERE id = ?').run(new Date(old).toISOString().replace('Z', '+00:00'), id)
  const set = await client.call('memory.set_decay_config', { mode: 'linear', rate: 0.01, floor: 0.2 })
  t.equal(set.config.mode, 'linear')
  const bad = await client.request('memory.set_decay_config', { mode: 'bogus' })
  t.equal(bad.error?.code, -32602)
  t.match(bad.error?.message, /linear/, 'the error lists the modes')
  const forced = await client.call('memory.decay_force', { persona_id: 'aria' })
  t.equal(forced.status, 'persona_decay_completed')
  t.equal(forced.memories_decayed, 1)
  const { importance } = first.db.sqlite.prepare('SELECT importance FROM Memory WHERE id = ?').get(id) as { importance: number }
  t.ok(Math.abs(importance - (0.8 - 0.01 * 30)) < 0.01, `linear decay over 30 days (${importance})`)
  const stats = await client.call('memory.decay_stats')
  t.equal(stats.decay_statistics.total_decay_cycles, 1)
  t.same(await client.call('memory.decay_stop'), { status: 'background_decay_stopped' })
  client.terminate()
  await first.close()

  const second = await build(t, { server: { dataDir }, ollama: { host: fixture.url } })
  const again = await RpcClient.connect(await listen(second))
  t.teardown(() => again.terminate())
  const after = await again.call('memory.decay_stats')
  t.equal(after.decay_statistics.config.mode, 'linear', 'the mode survived the restart')
  t.equal(after.decay_statistics.background_running, false, 'and so did decay_stop')
  const overview = await again.call('memory.get_stats')
  t.equal(overview.total_memories, 1)
  t.equal(overview.embedder, 'hash-384')
})

t.test('maintenance methods need the admin scope', async (t) => {
  const app = await build(t)
  const connection = {
    id: 'test', user: { id: 'mallory', scope: 'client' as const }, session: { id: 's', userId: 'mallory', personaId: null, conversationId: null },
    signal: new AbortController().signal, notify () {},
    sendText: () => true,
  }
  const ctx = { connection, requestId: 1, log: app.log }
  for (const method of ['memory.prune', 'memory.prune_all', 'memory.restore', 'memory.decay_force', 'memory.set_decay_config']) {
    await t.rejects(app.rpc.registry.call(method, { prune_run_id: 'x' }, ctx), { code: -32005 }, `${method} refused`)
  }
  t.ok(await app.rpc.registry.call('memory.prune_stats', {}, ctx), 'reading stats is allowed')
})
