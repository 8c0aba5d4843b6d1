import t from 'tap'
import type { Test } from 'tap'
import SwaggerParser from '@apidevtools/swagger-parser'
import { redactConfig } from '../src/system/config-view.ts'
import { parseConfig } from '../src/config/index.ts'
import { build, listen, type TestApp } from './helper.ts'
import { RpcClient } from './helpers/rpc-client.ts'

// The admin REST API under /admin/v1, every route through app.inject with an admin key.

const KEY = 'super-secret-1'
const AUTH = { auth: { apiKeys: [{ user: 'ops', key: KEY, scope: 'admin' }] } }
const API = '/admin/v1'

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

async function call (app: TestApp, method: Method, url: string, payload?: unknown) {
  const res = await app.inject({
    method, url: `${API}${url}`, headers: { authorization: `Bearer ${KEY}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })
  return { status: res.statusCode, body: res.body === '' ? undefined : res.json() }
}

/** An error in the shared ErrorBody shape, with the status it was sent with. */
function isError (t: Test, res: { status: number, body: any }, status: number, message?: RegExp): void {
  t.equal(res.status, status, `status ${status}`)
  t.match(res.body, { statusCode: status, error: String, message: message ?? String })
  t.notOk('stack' in (res.body ?? {}), 'no stack')
}

async function connect (t: Test, app: TestApp) {
  const client = await RpcClient.connect(await listen(app), { headers: { authorization: `Bearer ${KEY}` } })
  t.teardown(() => client.terminate())
  return client
}

async function until (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('POST /personas/:id/reset-state: a built-in\'s own starting state, or the defaults', async (t) => {
  const app = await build(t, AUTH)
  await call(app, 'PATCH', '/personas/Aria', { social_energy: 20, available_time: 40, current_priority: 'urgent', interest_level: 90 })
  await app.personas.setState((await app.personas.get('Aria')).id, (s) => ({ ...s, interactionFatigue: 7, cooldownUntil: Date.now() / 1000 + 600 }))
  const tired = await call(app, 'GET', '/personas/Aria')
  t.match(tired.body.interaction_state, { social_energy: 20, interaction_fatigue: 7, is_available: false })

  const reset = await call(app, 'POST', '/personas/aria/reset-state')
  t.equal(reset.status, 200)
  t.match(reset.body.interaction_state, {
    social_energy: 150, available_time: 600, current_priority: 'social', interest_level: 50, interaction_fatigue: 0, cooldown_until: 0, is_available: true,
  })
  t.equal(reset.body.description, tired.body.description, 'the profile is untouched')

  const nova = await call(app, 'POST', '/personas', { name: 'Nova', social_energy: 30, current_priority: 'business' })
  const back = await call(app, 'POST', `/personas/${nova.body.id as string}/reset-state`)
  t.match(back.body.interaction_state, { social_energy: 100, available_time: 300, current_priority: 'none', interest_level: 50, interaction_fatigue: 0 })
  isError(t, await call(app, 'POST', '/personas/nobody/reset-state'), 404, /nobody/)
})

t.test('emotional state: read, set, reset', async (t) => {
  const app = await build(t, AUTH)
  const first = await call(app, 'GET', '/personas/Kira/emotional-state')
  t.equal(first.status, 200)
  t.match(first.body, { persona_id: String, emotional_state: { mood: 0.5, energy_level: 0.7, stress_level: 0.3, curiosity: 0.6, social_battery: 0.8 } })

  const set = await call(app, 'PATCH', '/personas/Kira/emotional-state', { mood: -0.4, stress_level: 0.9 })
  t.equal(set.status, 200)
  t.match(set.body.emotional_state, { mood: -0.4, stress_level: 0.9, curiosity: 0.6 })
  for (const body of [{ mood: 2 }, { curiosity: -0.1 }, { cheer: 1 }, {}, { mood: 'happy' }]) {
    isError(t, await call(app, 'PATCH', '/personas/Kira/emotional-state', body), 400)
  }
  t.equal((await call(app, 'GET', '/personas/Kira/emotional-state')).body.emotional_state.mood, -0.4, 'refused changes changed nothing')

  const reset = await call(app, 'POST', '/personas/Kira/emotional-state/reset')
  t.match(reset.body.emotional_state, { mood: 0.5, stress_level: 0.3 })
  isError(t, await call(app, 'GET', '/personas/nobody/emotional-state'), 404)
  isError(t, await call(app, 'PATCH', '/personas/nobody/emotional-state', { mood: 0 }), 404)
})

t.test('sessions: list, inspect, expire (409 while held)', async (t) => {
  const app = await build(t, AUTH)
  const client = await connect(t, app)
  await client.call('persona.switch', { persona_id: 'Aria' })
  await client.call('persona.chat', { message: 'Sing me something about the sea' })
  const { session_id: id } = await client.call('session.get_info')

  const list = await call(app, 'GET', '/sessions')
  t.equal(list.status, 200)
  t.match(list.body, { total: 1, limit: 50, offset: 0 })
  t.match(list.body.items[0], { id, user_id: 'ops', current_persona: { name: 'Aria' }, attached: true, has_snapshot: false, conversation_count: 1 })
  t.equal((await call(app, 'GET', '/sessions?user_id=ops')).body.total, 1)
  t.equal((await call(app, 'GET', '/sessions?user_id=nobody')).body.total, 0)
  t.equal((await call(app, 'GET', '/sessions?persona_id=kira')).body.total, 0)
  t.equal((await call(app, 'GET', '/sessions?persona_id=aria')).body.total, 1)
  isError(t, await call(app, 'GET', '/sessions?persona_id=nobody'), 404)
  isError(t, await call(app, 'GET', '/sessions?limit=0'), 400, /limit/)

  const one = await call(app, 'GET', `/sessions/${id as string}`)
  t.equal(one.status, 200)
  t.match(one.body, { id, attached: true, conversations: [{ id: String, persona_id: one.body.current_persona.id, turn_count: 1 }] })
  isError(t, await call(app, 'GET', '/sessions/no-such-session'), 404, /no-such-session/)

  isError(t, await call(app, 'DELETE', `/sessions/${id as string}`), 409, /held by a connection/)
  client.terminate()
  await until(() => !app.sessions.isAttached(id), 'the session to be released')
  const expired = await call(app, 'DELETE', `/sessions/${id as string}`)
  t.equal(expired.status, 200)
  t.same(expired.body, { id, expired: true, conversations_removed: 1, messages_removed: 2 })
  isError(t, await call(app, 'DELETE', `/sessions/${id as string}`), 404)
  t.equal((await call(app, 'GET', '/conversations')).body.total, 0, 'its conversations went with it')
  t.ok((await call(app, 'GET', '/memories')).body.total > 0, 'memories stay')

  // pagination: most recently active first
  for (const [i, user] of ['u1', 'u2', 'u3'].entries()) {
    await app.db.prisma.session.create({ data: { id: `s-${user}`, userId: user, lastActivityAt: new Date(Date.UTC(2030, 0, 1 + i)) } })
  }
  const page = await call(app, 'GET', '/sessions?limit=2&offset=1')
  t.match(page.body, { total: 3, limit: 2, offset: 1 })
  t.same(page.body.items.map((s: { id: string }) => s.id), ['s-u2', 's-u1'])
  t.match(page.body.items[0], { attached: false, current_persona: null, conversation_count: 0 })
})

t.test('conversations: list, transcript, delete', async (t) => {
  const app = await build(t, AUTH)
  const client = await connect(t, app)
  await client.call('persona.switch', { persona_id: 'Aria' })
  await client.call('persona.chat', { message: 'Hello there' })
  await client.call('persona.chat', { message: 'Tell me a story' })

  const list = await call(app, 'GET', '/conversations')
  t.equal(list.status, 200)
  t.match(list.body, { total: 1, items: [{ kind: 'user', user_id: 'ops', turn_count: 2, status: 'active', other_persona_id: null }] })
  const id = list.body.items[0].id as string
  t.equal((await call(app, 'GET', '/conversations?kind=persona')).body.total, 0)
  t.equal((await call(app, 'GET', '/conversations?persona_id=Aria')).body.total, 1)
  t.equal((await call(app, 'GET', '/conversations?persona_id=Kira')).body.total, 0)
  t.equal((await call(app, 'GET', '/conversations?user_id=someone-else')).body.total, 0)
  isError(t, await call(app, 'GET', '/conversations?kind=group'), 400)
  isError(t, await call(app, 'GET', '/conversations?persona_id=nobody'), 404)

  t.match((await call(app, 'GET', `/conversations/${id}`)).body, { id, kind: 'user', summary: '' })
  const transcript = await call(app, 'GET', `/conversations/${id}/messages`)
  t.equal(transcript.status, 200)
  t.match(transcript.body, { total: 4, limit: 50, offset: 0 })
  t.same(transcript.body.items.map((m: { role: string, turn_number: number }) => `${m.turn_number}:${m.role}`), ['1:user', '1:persona', '2:user', '2:persona'])
  t.match(transcript.body.items[0], { content: 'Hello there', speaker_id: 'ops' })
  const page = await call(app, 'GET', `/conversations/${id}/messages?limit=1&offset=2`)
  t.match(page.body, { total: 4, items: [{ content: 'Tell me a story' }] })
  isError(t, await call(app, 'GET', '/conversations/nope'), 404, /nope/)
  isError(t, await call(app, 'GET', '/conversations/nope/messages'), 404)

  const deleted = await call(app, 'DELETE', `/conversations/${id}`)
  t.same(deleted.body, { id, deleted: true, messages_removed: 4 })
  isError(t, await call(app, 'DELETE', `/conversations/${id}`), 404)
  const again = await client.call('persona.chat', { message: 'Are you still there?' })
  t.equal(again.turn_number, 1, 'the next chat starts a fresh thread')
  t.not(again.conversation_id, id)

  // an active persona-to-persona conversation is the engine's: end it first
  const { conversation_id: p2p } = await client.call('conversation.start', { persona1_id: 'Aria', persona2_id: 'Kira', topic: 'music' })
  t.match((await call(app, 'GET', '/conversations?kind=persona')).body.items, [{ id: p2p, kind: 'persona', topic: 'music', other_persona_id: String }])
  isError(t, await call(app, 'DELETE', `/conversations/${p2p as string}`), 409, /end it first/)
  await client.call('conversation.end', { conversation_id: p2p })
  t.equal((await call(app, 'DELETE', `/conversations/${p2p as string}`)).status, 200)
})

t.test('memories: store, list, get, search, stats, delete', async (t) => {
  const app = await build(t, AUTH)
  const stored = await call(app, 'POST', '/memories', { persona_id: 'Aria', user_id: 'alice', content: 'Alice plays the violin in the harbour band', memory_type: 'fact', importance: 0.8 })
  t.equal(stored.status, 201)
  t.match(stored.body, {
    id: String, persona_id: String, user_id: 'alice', content: 'Alice plays the violin in the harbour band', memory_type: 'fact', importance: 0.8,
    visibility: 'private', accessed_count: 0, metadata: {}, related_personas: [],
  })
  const own = await call(app, 'POST', '/memories', { persona_id: 'kira', content: 'The archive roof leaks when it rains', visibility: 'shared', metadata: { source: 'ops' } })
  t.match(own.body, { user_id: null, memory_type: 'user_input', visibility: 'shared', metadata: { source: 'ops' } })
  t.ok(own.body.importance >= 0 && own.body.importance <= 1, 'scored from the content')
  await call(app, 'POST', '/memories', { persona_id: 'Aria', user_id: 'bob', content: 'Bob hates sea shanties', importance: 0.3 })
  for (const body of [{ persona_id: 'Aria' }, { persona_id: 'Aria', content: 'x', importance: 2 }, { content: 'no persona' }, { persona_id: 'Aria', content: 'x', visibility: 'secret' }]) {
    isError(t, await call(app, 'POST', '/memories', body), 400)
  }
  isError(t, await call(app, 'POST', '/memories', { persona_id: 'nobody', content: 'x' }), 404)

  const all = await call(app, 'GET', '/memories')
  t.match(all.body, { total: 3, limit: 50, offset: 0 })
  t.same(all.body.items.map((m: { content: string }) => m.content), ['Bob hates sea shanties', 'The archive roof leaks when it rains', 'Alice plays the violin in the harbour band'], 'newest first')
  const filters: Array<[string, number]> = [['persona_id=aria', 2], ['user_id=alice', 1], ['memory_type=fact', 1], ['visibility=shared', 1], ['contains=violin', 1], ['contains=nothing-like-this', 0]]
  for (const [query, total] of filters) t.equal((await call(app, 'GET', `/memories?${query}`)).body.total, total, query)
  const page = await call(app, 'GET', '/memories?limit=1&offset=1')
  t.match(page.body, { total: 3, limit: 1, offset: 1, items: [{ content: 'The archive roof leaks when it rains' }] })
  isError(t, await call(app, 'GET', '/memories?visibility=secret'), 400)
  isError(t, await call(app, 'GET', '/memories?persona_id=nobody'), 404)

  t.same((await call(app, 'GET', `/memories/${stored.body.id as string}`)).body, stored.body)
  isError(t, await call(app, 'GET', '/memories/missing-id'), 404, /missing-id/)

  const search = await call(app, 'GET', '/memories/search?persona_id=Aria&user_id=alice&query=violin%20harbour%20band')
  t.equal(search.status, 200)
  t.match(search.body, { query: 'violin harbour band', result_count: 1, memories: [{ id: stored.body.id, similarity: Number, score: Number }] })
  const asBob = await call(app, 'GET', '/memories/search?persona_id=Aria&user_id=bob&query=violin%20harbour%20band')
  t.notOk(asBob.body.memories.some((m: { id: string }) => m.id === stored.body.id), 'another user\'s private memory is not recalled for bob')
  t.equal((await call(app, 'GET', `/memories/${stored.body.id as string}`)).body.accessed_count, 0, 'an operator\'s search is not an access')
  isError(t, await call(app, 'GET', '/memories/search?persona_id=Aria&query=x'), 400, /user_id/)
  isError(t, await call(app, 'GET', '/memories/search?persona_id=nobody&user_id=a&query=x'), 404)

  const stats = await call(app, 'GET', '/memories/stats')
  t.equal(stats.status, 200)
  t.match(stats.body, { total_memories: 3, embedder: String, vector_index: { kind: 'local', available: true }, shared: { shared_memories: 1 } })
  t.match(stats.body.personas.find((p: { name: string }) => p.name === 'Aria'), { stats: { total_memories: 2, memory_types: { fact: 1, user_input: 1 } } })

  const deleted = await call(app, 'DELETE', `/memories/${stored.body.id as string}`)
  t.same(deleted.body, { id: stored.body.id, deleted: true })
  isError(t, await call(app, 'DELETE', `/memories/${stored.body.id as string}`), 404)
  t.equal((await call(app, 'GET', '/memories/search?persona_id=Aria&user_id=alice&query=violin')).body.result_count, 0, 'gone from the index too')
  t.equal((await call(app, 'GET', '/memories/stats')).body.total_memories, 2)
})

t.test('memory maintenance: prune, recommendations, prune runs, restore', async (t) => {
  const app = await build(t, AUTH)
  // small limits and no protection for new memories, so a handful is enough to prune
  const limits = await call(app, 'PATCH', '/config/memory/pruning', { maxMemories: 5, targetCount: 3, minMemories: 0, protectYoungerThanHours: 0 })
  t.equal(limits.status, 200)
  for (let i = 0; i < 8; i++) await call(app, 'POST', '/memories', { persona_id: 'Aria', user_id: 'alice', content: `passing remark ${i}`, importance: 0.1 + i / 100 })

  const advice = await call(app, 'GET', '/memories/prune-recommendations?persona_id=aria')
  t.match(advice.body, { persona_id: String, recommendations: { needs_pruning: true, current_count: 8, target_count: 3, would_prune: 5 } })
  isError(t, await call(app, 'GET', '/memories/prune-recommendations'), 400)

  const kira = await call(app, 'POST', '/memories/prune', { persona_id: 'Kira' })
  t.match(kira.body, { status: 'no_pruning_needed', current_memory_count: 0, message: String })
  const pruned = await call(app, 'POST', '/memories/prune', { persona_id: 'Aria' })
  t.equal(pruned.status, 200)
  t.match(pruned.body, { status: 'pruning_completed', prune_run_id: String, memories_before: 8, memories_after: 3, memories_pruned: 5 })
  t.equal((await call(app, 'GET', '/memories?persona_id=Aria')).body.total, 3)
  isError(t, await call(app, 'POST', '/memories/prune', { persona_id: 'nobody' }), 404)
  isError(t, await call(app, 'POST', '/memories/prune', { force: 'yes please' }), 400)

  const everyone = await call(app, 'POST', '/memories/prune', {})
  t.match(everyone.body, { status: 'global_pruning_completed', personas_processed: 2, total_memories_pruned: 0, errors_encountered: 0 })

  const runs = await call(app, 'GET', '/memories/prune-runs')
  t.match(runs.body, { total: 1, items: [{ prune_run_id: pruned.body.prune_run_id, trigger: 'manual', memories_pruned: 5, restored_at: null, purged_at: null }] })
  t.equal((await call(app, 'GET', '/memories/prune-runs?persona_id=Kira')).body.total, 0)
  t.equal((await call(app, 'GET', '/memories/prune-runs?limit=1&offset=1')).body.items.length, 0)

  const restored = await call(app, 'POST', `/memories/prune-runs/${pruned.body.prune_run_id as string}/restore`)
  t.match(restored.body, { prune_run_id: pruned.body.prune_run_id, restored: true, memories_restored: 5 })
  t.equal((await call(app, 'GET', '/memories?persona_id=Aria')).body.total, 8, 'all back')
  t.match((await call(app, 'GET', '/memories/prune-runs')).body.items[0], { status: 'restored', restored_at: String })
  isError(t, await call(app, 'POST', '/memories/prune-runs/no-such-run/restore'), 404)
  await app.db.prisma.pruneRun.update({ where: { id: pruned.body.prune_run_id }, data: { purgedAt: new Date() } })
  isError(t, await call(app, 'POST', `/memories/prune-runs/${pruned.body.prune_run_id as string}/restore`), 409, /purged/)
})

t.test('memory maintenance: decay start, stop, stats, config and scoring weights', async (t) => {
  const app = await build(t, AUTH)
  t.same((await call(app, 'POST', '/memories/decay/stop')).body, { enabled: false, interval_hours: 6, mode: 'access_based', auto_pruning: true })
  t.equal(app.memorySettings.current.decay.enabled, false)
  const stats = await call(app, 'GET', '/memories/decay/stats')
  t.same(stats.body, { status: { enabled: false, interval_hours: 6, mode: 'access_based', auto_pruning: true }, total_cycles: 0, total_memories_decayed: 0, total_auto_prunes: 0, last_run: null })
  t.equal((await call(app, 'POST', '/memories/decay/start')).body.enabled, true)

  await app.memoryMaintenance.decay('force', null)
  t.match((await call(app, 'GET', '/memories/decay/stats')).body, { total_cycles: 1, last_run: { trigger: 'force', persona_id: null, personas_processed: 2 } })

  const config = await call(app, 'GET', '/memories/decay/config')
  t.match(config.body, { enabled: true, mode: 'access_based', rate: 0.1, interval_hours: 6, auto_prune_threshold: 1000 })
  const changed = await call(app, 'PATCH', '/memories/decay/config', { mode: 'exponential', rate: 0.25 })
  t.equal(changed.status, 200)
  t.match(changed.body, { mode: 'exponential', rate: 0.25, interval_hours: 6 })
  for (const body of [{}, { rate: 11 }, { mode: 'sudden' }, { ratee: 0.2 }, { interval_hours: 0 }]) {
    isError(t, await call(app, 'PATCH', '/memories/decay/config', body), 400)
  }
  t.match((await call(app, 'GET', '/memories/decay/config')).body, { mode: 'exponential', rate: 0.25, interval_hours: 6 }, 'refused patches changed nothing')

  t.same((await call(app, 'GET', '/memories/scoring-weights')).body, { content: 1, engagement: 1, persona: 1, recency: 1 })
  t.same((await call(app, 'PATCH', '/memories/scoring-weights', { content: 1.5, recency: 0.5 })).body, { content: 1.5, engagement: 1, persona: 1, recency: 0.5 })
  isError(t, await call(app, 'PATCH', '/memories/scoring-weights', { content: 3 }), 400, /content/)
  t.equal(app.memorySettings.current.scoring.content, 1.5)
})

t.test('relationships between personas and with users', async (t) => {
  const app = await build(t, AUTH)
  t.same((await call(app, 'GET', '/relationships')).body, { items: [], total: 0, limit: 50, offset: 0 })
  isError(t, await call(app, 'GET', '/relationships/Aria/Kira'), 404, /have not met/)

  const client = await connect(t, app)
  await client.call('relationship.update', { persona1_id: 'Kira', persona2_id: 'Aria', interaction_quality: 0.8, duration_minutes: 30, context: 'collaboration' })
  await client.call('persona.switch', { persona_id: 'Aria' })
  await client.call('persona.chat', { message: 'Thank you, that was lovely' })

  const personas = await call(app, 'GET', '/relationships')
  t.equal(personas.body.total, 1)
  t.match(personas.body.items[0], { kind: 'persona', interaction_count: 1, relationship_type: String, compatibility_score: Number, first_meeting: String })
  const users = await call(app, 'GET', '/relationships?kind=user')
  t.match(users.body, { total: 1, items: [{ kind: 'user', persona2_id: 'ops', interaction_count: 1 }] })
  t.equal((await call(app, 'GET', '/relationships?kind=user&persona_id=Kira')).body.total, 0)
  t.equal((await call(app, 'GET', '/relationships?persona_id=kira')).body.total, 1)
  t.equal((await call(app, 'GET', '/relationships?offset=1')).body.items.length, 0)
  isError(t, await call(app, 'GET', '/relationships?kind=pet'), 400)
  isError(t, await call(app, 'GET', '/relationships?persona_id=nobody'), 404)

  const pair = await call(app, 'GET', '/relationships/Aria/Kira')
  t.equal(pair.status, 200)
  t.same((await call(app, 'GET', '/relationships/kira/aria')).body, pair.body, 'order does not matter')
  isError(t, await call(app, 'GET', '/relationships/Aria/nobody'), 404)

  const compat = await call(app, 'GET', '/relationships/Aria/Kira/compatibility')
  t.match(compat.body, { persona1: { name: 'Aria' }, persona2: { name: 'Kira' }, compatibility_analysis: { overall: Number }, existing_relationship: true })
  isError(t, await call(app, 'GET', '/relationships/Aria/nobody/compatibility'), 404)
})

t.test('GET /config: the effective config with every secret redacted', async (t) => {
  const app = await build(t, {
    ...AUTH,
    ollama: { host: 'http://llm-user:hunter2@localhost:11434' },
    vector: { chromaUrl: 'http://chroma.internal:8000/?token=abc123&tenant=t1' },
  })
  const res = await call(app, 'GET', '/config')
  t.equal(res.status, 200)
  const text = JSON.stringify(res.body)
  for (const secret of [KEY, 'hunter2', 'abc123']) t.notOk(text.includes(secret), `${secret} is not shown`)
  t.same(res.body.config.auth.apiKeys, [{ user: 'ops', scope: 'admin' }], 'API keys: user and scope only')
  t.equal(res.body.config.ollama.host, 'http://llm-user:[redacted]@localhost:11434')
  t.equal(res.body.config.vector.chromaUrl, 'http://chroma.internal:8000/?token=[redacted]&tenant=t1')
  t.match(res.body.config, { server: { port: 0 }, ollama: { model: 'llama3.1:8b' }, memory: { decay: { rate: 0.1 } } }, 'everything else as in force')
  t.match(res.body.memory_settings, { decay: { rate: 0.1 }, scoring: { content: 1 }, retrieval: { similarity: 0.6 }, pruning: { maxMemories: 1000 } })

  // any secret-like name, wherever it is
  const redacted = redactConfig({ ...parseConfig({}), extra: { dbPassword: 'p4ss', apiToken: 't0k', nested: [{ clientSecret: 's3c' }], maxTokens: 3, url: 'https://u:pw@h/x?api_key=k1&a=b' } } as never) as any
  t.same(redacted.extra, { dbPassword: '[redacted]', apiToken: '[redacted]', nested: [{ clientSecret: '[redacted]' }], maxTokens: 3, url: 'https://u:[redacted]@h/x?api_key=[redacted]&a=b' })
})

t.test('PATCH /config/memory/{section}: validated, in force at once, persisted', async (t) => {
  const dataDir = t.testdir()
  const app = await build(t, { ...AUTH, server: { dataDir } })
  const decay = await call(app, 'PATCH', '/config/memory/decay', { rate: 0.3, mode: 'linear' })
  t.equal(decay.status, 200)
  t.match(decay.body, { rate: 0.3, mode: 'linear', intervalHours: 6, enabled: true })
  t.match((await call(app, 'PATCH', '/config/memory/retrieval', { promptMemories: 2 })).body, { promptMemories: 2, similarity: 0.6 })
  t.match((await call(app, 'PATCH', '/config/memory/scoring', { persona: 0.5 })).body, { persona: 0.5, content: 1 })
  t.match((await call(app, 'PATCH', '/config/memory/pruning', { batchSize: 50 })).body, { batchSize: 50, maxMemories: 1000 })

  const cases: Array<[string, unknown, RegExp]> = [
    ['decay', { rate: 'fast' }, /rate/],
    ['decay', { rate: 20 }, /rate/],
    ['decay', { intervalHours: 0 }, /intervalHours/],
    ['decay', { rat: 0.1 }, /additional|rat/i],
    ['decay', {}, /properties|fewer/i],
    ['retrieval', { similarity: 1.5 }, /similarity/],
    ['scoring', { content: -1 }, /content/],
  ]
  for (const [section, body, message] of cases) isError(t, await call(app, 'PATCH', `/config/memory/${section}`, body), 400, message)
  t.equal((await call(app, 'PATCH', '/config/memory/server', { port: 1 })).status, 404, 'only the memory sections are tunable')

  const now = await call(app, 'GET', '/config')
  t.match(now.body.memory_settings, { decay: { rate: 0.3, mode: 'linear' }, retrieval: { promptMemories: 2 }, scoring: { persona: 0.5 }, pruning: { batchSize: 50 } })
  t.equal(now.body.config.memory.decay.rate, 0.1, 'config shows the file\'s value, memory_settings the one in force')

  await app.close()
  const restarted = await build(t, { ...AUTH, server: { dataDir } })
  t.match((await call(restarted, 'GET', '/config')).body.memory_settings, { decay: { rate: 0.3, mode: 'linear' }, retrieval: { promptMemories: 2 } }, 'survives a restart')
})

t.test('GET /system/status', async (t) => {
  const app = await build(t, AUTH)
  const res = await call(app, 'GET', '/system/status')
  t.equal(res.status, 200)
  t.match(res.body, {
    system_status: 'operational', version: String, uptime_seconds: Number, connections: 0, requests_total: Number, attached_sessions: 0,
    llm_available: Boolean, total_personas: 2, available_personas: 2, active_conversations: 0,
    memory: { embedder: String, vector_index: { kind: 'local' } }, components: { database: { status: 'up' } }, memory_rss_bytes: Number, timestamp: String,
  })
})

t.test('the OpenAPI document: valid, and every admin operation fully described', async (t) => {
  const app = await build(t, AUTH)
  const res = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  await t.resolves(SwaggerParser.validate(structuredClone(doc)), 'valid under @apidevtools/swagger-parser')

  const tags = new Set((doc.tags as Array<{ name: string }>).map((tag) => tag.name))
  const operations: string[] = []
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    if (!path.startsWith(API)) continue
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue
      const label = `${method.toUpperCase()} ${path}`
      operations.push(label)
      t.ok(op.tags?.length > 0 && op.tags.every((tag: string) => tags.has(tag)), `${label}: tags, each in the document's list`)
      t.ok(typeof op.summary === 'string' && op.summary.length > 0, `${label}: summary`)
      const success = Object.keys(op.responses).filter((status) => status.startsWith('2'))
      t.ok(success.length > 0 && success.every((s) => op.responses[s].content?.['application/json']?.schema), `${label}: success schema`)
      for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
        if (status.startsWith('4')) t.ok(response.content?.['application/json']?.schema?.$ref, `${label} ${status}: the shared error body`)
      }
      if (method === 'get' && op.responses['200'].content['application/json'].schema.properties?.items) {
        const names = (op.parameters ?? []).map((p: { name: string }) => p.name)
        t.ok(names.includes('limit') && names.includes('offset'), `${label}: paginated`)
      }
    }
  }
  for (const expected of [
    'GET /admin/v1/sessions', 'DELETE /admin/v1/sessions/{id}', 'GET /admin/v1/conversations/{id}/messages', 'POST /admin/v1/memories',
    'GET /admin/v1/memories/search', 'POST /admin/v1/memories/prune-runs/{id}/restore', 'PATCH /admin/v1/memories/decay/config',
    'PATCH /admin/v1/memories/scoring-weights', 'GET /admin/v1/relationships', 'PATCH /admin/v1/personas/{id}/emotional-state',
    'GET /admin/v1/config', 'PATCH /admin/v1/config/memory/decay', 'GET /admin/v1/system/status', 'POST /admin/v1/personas/{id}/reset-state',
  ]) t.ok(operations.includes(expected), `documents ${expected}`)
  t.match(doc.components.securitySchemes, { bearerAuth: { type: 'http', scheme: 'bearer' } })
  t.same(doc.paths['/health'].get.security, [], '/health is open')
  t.same(doc.paths['/ready'].get.security, [], '/ready is open')
  t.match(doc.paths[`${API}/memories`].post.requestBody.content['application/json'].example, { persona_id: 'Aria' }, 'bodies carry examples')
  t.ok(doc.paths[`${API}/memories/prune`].post.requestBody.content['application/json'].examples, 'several, where there are several')
})
