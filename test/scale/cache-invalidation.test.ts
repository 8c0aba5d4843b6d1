import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { singleInstance, type ClusterMessage } from '../../src/events/cluster.ts'
import { createInvalidation } from '../../src/events/invalidation.ts'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'
import { RpcClient } from '../helpers/rpc-client.ts'

// Two instances on one PostgreSQL, each with its write-through caches (personas, relationships, moods, API
// keys): what one instance writes, the other serves at once (within a short wait for the NOTIFY), over its
// own API, even after it cached the old value; a key revoked on one is refused by the other. What one
// writes while the other's listening connection is down, the other serves too, once it is back.

t.setTimeout(120_000)
const ADMIN = 'admin-secret-key'
const skip = postgresUnavailable() ?? false

/** polls `read` until `ok` holds, for up to `ms`; the last value read */
async function eventually<T> (read: () => Promise<T>, ok: (value: T) => boolean, ms = 2000): Promise<T> {
  const deadline = Date.now() + ms
  // a read may fail until the change arrives (a persona B does not know yet)
  const attempt = async () => await read().catch((err: unknown) => (Date.now() < deadline ? undefined as T : Promise.reject(err)))
  let value = await attempt()
  while (!ok(value) && Date.now() < deadline) { await sleep(25); value = await attempt() }
  return value
}

/** true when a JSON-RPC client with `secret` gets in at `url` and is served */
async function connects (url: string, secret: string): Promise<boolean> {
  try {
    const client = await RpcClient.connect(url, { headers: { authorization: `Bearer ${secret}` } })
    await client.call('persona.list')
    client.terminate()
    return true
  } catch { return false }
}

t.test('SQLite, a cluster of one: nothing is announced, nobody listens', async (t) => {
  const invalidation = createInvalidation(singleInstance, { warn () {} })
  t.equal(invalidation.announcer('persona'), undefined, 'services get no announcer: their writes cost nothing extra')
})

t.test('two instances on one PostgreSQL', { skip }, async (t) => {
  const postgres = await startPostgres()
  t.teardown(() => postgres.stop())
  const ollama = await startOllamaFixture()
  t.teardown(() => ollama.close())
  const config = {
    server: { databaseUrl: await postgres.createDatabase() },
    auth: { apiKeys: [{ user: 'ops', key: ADMIN, scope: 'admin' }] },
    ollama: { host: ollama.url },
  }
  const sql = new pg.Pool({ connectionString: config.server.databaseUrl, max: 1 })
  t.teardown(() => sql.end())
  const listeners = async () => (await sql.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'")).rows.map((r) => r.pid)
  // one after the other: the first migrates
  const instance = async () => {
    const before = await listeners()
    const app = await build(t, config)
    // its listening connection: the one that was not there before it started
    const listenerPid = (await listeners()).find((pid) => !before.includes(pid))
    const url = await listen(app)
    const client = await RpcClient.connect(url, { headers: { authorization: `Bearer ${ADMIN}` } })
    t.teardown(() => client.terminate())
    const admin = async (method: string, path: string, body?: unknown, key = ADMIN) => {
      const res = await fetch(`${url.replace('ws:', 'http:').replace(/\/mcp$/, '')}/admin/v1${path}`, {
        method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body),
      })
      return { status: res.status, body: await res.json() as any }
    }
    return { app, url, client, admin, listenerPid }
  }
  const a = await instance()
  const b = await instance()

  t.test('a persona changed on A: B shows the new profile and state, though it had them cached', async (t) => {
    t.equal((await b.client.call('persona.get', { persona_id: 'aria' })).description === 'a lighthouse keeper now', false)
    await a.client.call('persona.update', { persona_id: 'aria', description: 'a lighthouse keeper now', social_energy: 42 })
    const seen = await eventually(() => b.client.call('persona.get', { persona_id: 'aria' }), (p) => p.description === 'a lighthouse keeper now')
    t.equal(seen.description, 'a lighthouse keeper now', 'B serves the new description')
    t.equal(seen.interaction_state.social_energy, 42, 'and the new state')
  })

  t.test('a persona created and then deleted on A appears on B, then goes', async (t) => {
    const created = await a.admin('POST', '/personas', { name: 'Morwen', description: 'new on A' })
    t.equal(created.status, 201)
    const names = async () => (await b.client.call('persona.list')).personas.map((p: { name: string }) => p.name)
    t.ok((await eventually(names, (n) => n.includes('Morwen'))).includes('Morwen'), 'listed on B')
    t.equal((await a.admin('DELETE', `/personas/${created.body.id}`)).status, 200)
    t.notOk((await eventually(names, (n) => !n.includes('Morwen'))).includes('Morwen'), 'gone from B')
  })

  t.test('a relationship changed on A: B sees it, though it had cached that the pair had not met', async (t) => {
    t.equal((await b.client.call('relationship.get', { persona1_id: 'aria', persona2_id: 'kira' })).exists, false)
    await a.client.call('relationship.update', { persona1_id: 'aria', persona2_id: 'kira', interaction_quality: 0.8 })
    const read = () => b.client.call('relationship.get', { persona1_id: 'aria', persona2_id: 'kira' })
    const met = await eventually(read, (r) => r.exists)
    t.equal(met.relationship?.interaction_count, 1, 'B sees the first interaction')
    await a.client.call('relationship.update', { persona1_id: 'kira', persona2_id: 'aria', interaction_quality: 0.8 })
    t.equal((await eventually(read, (r) => r.relationship?.interaction_count === 2)).relationship?.interaction_count, 2, 'and the second')
  })

  t.test('a mood set on A (JSON-RPC, then admin REST): B reads the new values', async (t) => {
    await b.client.call('emotional.get_state', { persona_id: 'kira' })
    await a.client.call('emotional.update_state', { persona_id: 'kira', mood: -0.5 })
    const mood = async () => (await b.client.call('emotional.get_state', { persona_id: 'kira' })).emotional_state.mood
    t.ok(Math.abs(await eventually(mood, (m) => Math.abs(m + 0.5) < 0.01) + 0.5) < 0.01, 'B reads mood -0.5')
    t.equal((await a.admin('PATCH', '/personas/kira/emotional-state', { stress_level: 0.9 })).status, 200)
    const stress = async () => (await b.admin('GET', '/personas/kira/emotional-state')).body.emotional_state.stress_level
    t.ok(Math.abs(await eventually(stress, (s) => Math.abs(s - 0.9) < 0.01) - 0.9) < 0.01, 'B\'s admin API reads stress 0.9')
  })

  t.test('a key revoked on A is refused on B at once, though B had just let it in', async (t) => {
    const created = await a.admin('POST', '/api-keys', { user_id: 'alice', scope: 'client' })
    t.equal(created.status, 201)
    const { secret, id } = created.body
    t.equal(await eventually(() => connects(b.url, secret), (ok) => ok), true, 'B accepts the key created on A')
    t.equal((await a.admin('DELETE', `/api-keys/${id}`)).status, 200)
    t.equal(await eventually(() => connects(b.url, secret), (ok) => !ok), false, 'B refuses it, well before its once-a-minute re-check')
  })

  t.test('a user erased on A: B refuses their key and shows their persona without an owner', async (t) => {
    const { secret } = (await a.admin('POST', '/api-keys', { user_id: 'bob', scope: 'client' })).body
    const bobOnA = await RpcClient.connect(a.url, { headers: { authorization: `Bearer ${secret}` } })
    t.teardown(() => bobOnA.terminate())
    const { persona_id: personaId } = await bobOnA.call('persona.create', { name: 'Bobs Muse' })
    const owner = async () => (await b.client.call('persona.get', { persona_id: personaId })).owner_id
    t.equal(await eventually(owner, (o) => o === 'bob'), 'bob', 'B knows the persona as bob\'s')
    t.equal(await connects(b.url, secret), true, 'and lets bob in')
    await bobOnA.call('user.erase', {})
    t.equal(await eventually(() => connects(b.url, secret), (ok) => !ok), false, 'B refuses the erased user\'s key')
    t.equal(await eventually(owner, (o) => o === null), null, 'and shows the persona disowned')
  })

  t.test('written on A while B\'s listener is down: B drops its caches once it is back, and serves the new values', async (t) => {
    // B caches a profile, a mood and a key
    t.not((await b.client.call('persona.get', { persona_id: 'kira' })).description, 'written during the gap')
    await b.client.call('emotional.get_state', { persona_id: 'aria' })
    const { secret, id } = (await a.admin('POST', '/api-keys', { user_id: 'carol', scope: 'client' })).body
    t.equal(await eventually(() => connects(b.url, secret), (ok) => ok), true, 'B lets carol in')
    const resyncs: number[] = []
    t.teardown(b.app.cluster.onResync(() => { resyncs.push(Date.now()) }))
    const heardFromB: number[] = []
    t.teardown(a.app.cluster.subscribe((m) => { if (m.kind === 'instance') heardFromB.push(Date.now()) }))
    const reachedB: ClusterMessage[] = []
    t.teardown(b.app.cluster.subscribe((m) => { if (m.kind === 'invalidate') reachedB.push(m) }))

    t.ok(b.listenerPid, 'B\'s listening connection is known')
    await sql.query('SELECT pg_terminate_backend($1)', [b.listenerPid])
    await a.client.call('persona.update', { persona_id: 'kira', description: 'written during the gap' })
    await a.client.call('emotional.update_state', { persona_id: 'aria', mood: 0.7 })
    t.equal((await a.admin('DELETE', `/api-keys/${id}`)).status, 200)
    await a.app.invalidation.flush()

    const kira = await eventually(() => b.client.call('persona.get', { persona_id: 'kira' }), (p) => p.description === 'written during the gap', 5000)
    t.equal(kira.description, 'written during the gap', 'B serves the profile written while it was away')
    const mood = async () => (await b.client.call('emotional.get_state', { persona_id: 'aria' })).emotional_state.mood
    t.ok(Math.abs(await eventually(mood, (m) => Math.abs(m - 0.7) < 0.01, 5000) - 0.7) < 0.01, 'and the mood')
    t.equal(await eventually(() => connects(b.url, secret), (ok) => !ok, 5000), false, 'and refuses the key revoked meanwhile')
    t.same(reachedB, [], 'the announcements never reached B: it caught up by dropping its caches')
    // past another reconnect delay: a second resync for the same loss would have come by now
    await sleep(1500)
    t.equal(resyncs.length, 1, 'B resynced once for the one lost connection')
    t.ok(heardFromB.some((at) => at >= resyncs[0] && at - resyncs[0] < 500), 'and announced itself to A at once, not at its next heartbeat')
  })

  t.test('a turn on A makes the thread B cached stale: B drops it and reads the turn', async (t) => {
    await a.client.call('persona.switch', { persona_id: 'kira' })
    await a.client.call('persona.chat', { message: 'First, on A' })
    const { session_id: sessionId } = await a.client.call('session.get_info')
    // B serves the same session (a client resumed it there) and caches the thread with its first turn
    await b.client.call('session.resume', { session_id: sessionId })
    t.equal((await b.client.call('conversation.history', { persona_id: 'kira' })).total_turns, 1)
    await a.client.call('persona.chat', { message: 'Second, on A' })
    await sleep(500)
    const history = await b.client.call('conversation.history', { persona_id: 'kira' })
    t.equal(history.total_turns, 2, 'B knows of the second turn')
    t.match(history.messages.map((m: { content: string }) => m.content), ['First, on A', /./, 'Second, on A', /./])
  })

  t.test('a chat turn on A costs the cluster one invalidation message (a burst), listing what it changed', async (t) => {
    const got: ClusterMessage[] = []
    const off = b.app.cluster.subscribe((message) => { if (message.kind === 'invalidate') got.push(message) })
    t.teardown(off)
    await a.client.call('persona.switch', { persona_id: 'aria' })
    await sleep(200)
    got.length = 0
    await a.client.call('persona.chat', { message: 'How is the sea today?' })
    await sleep(500)
    const topics = got.flatMap((m) => Object.keys(m.keys as object))
    // three or four writes (state, relationship, mood); sent apart they would be as many messages: one burst
    // is one, two if a loaded machine stretched a gap between them past the quiet period
    t.ok(got.length >= 1 && got.length <= 2, `${got.length} message(s) for the turn: ${JSON.stringify(got.map((m) => m.keys))}`)
    t.ok(topics.includes('persona'), 'the persona\'s state is among them')
  })
})
