import t from 'tap'
import type { Test } from 'tap'
import { build, buildWithClient } from './helper.ts'
import type { TestApp } from './helper.ts'

const BASE = '/admin/v1/personas'

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

async function call (app: TestApp, method: Method, url: string, payload?: unknown) {
  const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })
  return { status: res.statusCode, body: res.body === '' ? undefined : res.json(), headers: res.headers }
}

/** An error body: Fastify's shape, a message, and nothing internal. */
function isCleanError (t: Test, body: any, status: number, code?: string): void {
  t.equal(body.statusCode, status, `statusCode ${status}`)
  t.type(body.error, 'string')
  t.type(body.message, 'string')
  t.ok(body.message.length > 0, 'a message')
  if (code !== undefined) t.equal(body.code, code)
  t.notOk('stack' in body, 'no stack')
  t.notMatch(JSON.stringify(body), /\n\s+at |\.ts:\d+|node_modules|prisma|Invalid `/i, 'nothing internal')
}

t.test('GET /admin/v1/personas lists with pagination', async (t) => {
  const app = await build(t)
  const all = await call(app, 'GET', BASE)
  t.equal(all.status, 200)
  t.same(Object.keys(all.body).sort(), ['items', 'limit', 'offset', 'total'])
  t.match(all.body, { total: 2, limit: 50, offset: 0 })
  t.same(all.body.items.map((p: { name: string }) => p.name), ['Aria', 'Kira'])
  t.match(all.body.items[0], { built_in: true, interaction_state: { social_energy: 150 }, backstory: String }, 'full views')

  const second = await call(app, 'GET', `${BASE}?limit=1&offset=1`)
  t.equal(second.status, 200)
  t.match(second.body, { total: 2, limit: 1, offset: 1 })
  t.same(second.body.items.map((p: { name: string }) => p.name), ['Kira'], 'the second persona')
  t.same((await call(app, 'GET', `${BASE}?offset=5`)).body.items, [], 'past the end')

  for (const query of ['limit=0', 'limit=1000', 'offset=-1', 'limit=abc']) {
    const bad = await call(app, 'GET', `${BASE}?${query}`)
    t.equal(bad.status, 400, query)
    isCleanError(t, bad.body, 400)
    t.match(bad.body.message, /limit|offset/, 'the message names the parameter')
  }
})

t.test('GET /admin/v1/personas/:id by id or name', async (t) => {
  const app = await build(t)
  const kira = await call(app, 'GET', `${BASE}/Kira`)
  t.equal(kira.status, 200)
  t.match(kira.body, { name: 'Kira', charisma: 12, intelligence: 18, social_rank: 'scholar', interaction_state: { current_priority: 'academic' } })
  t.same((await call(app, 'GET', `${BASE}/${kira.body.id as string}`)).body, kira.body, 'by id')
  t.same((await call(app, 'GET', `${BASE}/kIrA`)).body, kira.body, 'by name in any case')

  const missing = await call(app, 'GET', `${BASE}/nobody`)
  t.equal(missing.status, 404)
  t.same(Object.keys(missing.body).sort(), ['code', 'error', 'message', 'statusCode'])
  t.match(missing.body, { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', message: /nobody/ })
  isCleanError(t, missing.body, 404, 'NOT_FOUND')
})

t.test('POST, PATCH and DELETE', async (t) => {
  const { app, client } = await buildWithClient(t)
  const created = await call(app, 'POST', BASE, { name: 'Nova', description: 'a navigator', charisma: 15, topic_preferences: { stars: 90 } })
  t.equal(created.status, 201)
  t.match(created.body, {
    id: String, name: 'Nova', description: 'a navigator', backstory: '', speaking_style: '', personality_traits: {},
    topic_preferences: { stars: 90 }, charisma: 15, intelligence: 10, social_rank: 'commoner', built_in: false,
    created_at: String, updated_at: String,
    interaction_state: { social_energy: 100, available_time: 300, current_priority: 'none', is_available: true },
  })
  const id = created.body.id as string
  const viaRpc = await client.call('persona.get', { persona_id: id })
  t.same(viaRpc.persona, created.body, 'the same view over JSON-RPC (nested, as earlier clients read it)')
  const { persona: _nested, ...flat } = viaRpc
  t.same(flat, created.body, 'and flat')
  const listed = await client.call('persona.list')
  t.equal(listed.total_count, 3, 'persona.list sees it: one service')

  const dup = await call(app, 'POST', BASE, { name: 'NOVA' })
  t.equal(dup.status, 409)
  isCleanError(t, dup.body, 409, 'CONFLICT')
  for (const body of [{ name: 'Bad', charisma: 'x' }, { description: 'no name' }, { name: '' }, { name: 'Hi', charisma: 21 }]) {
    const bad = await call(app, 'POST', BASE, body)
    t.equal(bad.status, 400, JSON.stringify(body))
    isCleanError(t, bad.body, 400)
  }
  const malformed = await app.inject({ method: 'POST', url: BASE, headers: { 'content-type': 'application/json' }, payload: '{"name":' })
  t.equal(malformed.statusCode, 400, 'malformed JSON')
  isCleanError(t, malformed.json(), 400)

  const patched = await call(app, 'PATCH', `${BASE}/${id}`, { description: 'a star navigator', social_energy: 90 })
  t.equal(patched.status, 200)
  t.same({ ...patched.body, updated_at: created.body.updated_at, description: created.body.description,
    interaction_state: { ...patched.body.interaction_state, social_energy: 100 } }, created.body, 'only the given fields changed')
  t.equal(patched.body.description, 'a star navigator')
  t.equal(patched.body.interaction_state.social_energy, 90)
  t.equal((await call(app, 'PATCH', `${BASE}/nova`, { name: 'Nova Prime' })).body.name, 'Nova Prime', 'rename by name')

  const renameBuiltIn = await call(app, 'PATCH', `${BASE}/Aria`, { name: 'Ariadne' })
  t.equal(renameBuiltIn.status, 403)
  isCleanError(t, renameBuiltIn.body, 403, 'FORBIDDEN')
  const taken = await call(app, 'PATCH', `${BASE}/${id}`, { name: 'kira' })
  t.equal(taken.status, 409, 'rename to a taken name')
  t.equal((await call(app, 'PATCH', `${BASE}/nobody`, { description: 'x' })).status, 404)
  t.equal((await call(app, 'PATCH', `${BASE}/${id}`, { charisma: 0 })).status, 400)

  const builtIn = await call(app, 'DELETE', `${BASE}/Kira`)
  t.equal(builtIn.status, 403)
  isCleanError(t, builtIn.body, 403, 'FORBIDDEN')
  const deleted = await call(app, 'DELETE', `${BASE}/${id}`)
  t.equal(deleted.status, 200)
  t.same(deleted.body, { id, name: 'Nova Prime', deleted: true })
  const again = await call(app, 'DELETE', `${BASE}/${id}`)
  t.equal(again.status, 404)
  isCleanError(t, again.body, 404, 'NOT_FOUND')
  t.equal((await client.call('persona.list')).total_count, 2, 'gone over JSON-RPC too')
})

t.test('an unexpected failure answers 500 without its internals', async (t) => {
  const app = await build(t)
  const list = app.personas.list
  app.personas.list = () => { throw new Error('SQLITE_CORRUPT: database disk image is malformed at /srv/data/persona.db') }
  t.teardown(() => { app.personas.list = list })
  const res = await call(app, 'GET', BASE)
  t.equal(res.status, 500)
  t.same(res.body, { statusCode: 500, code: 'INTERNAL', error: 'Internal Server Error', message: 'Internal error' })
  isCleanError(t, res.body, 500)
})

t.test('the OpenAPI document and Swagger UI', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/docs/json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.match(doc.openapi, /^3\./)
  const list = doc.paths[BASE]
  const one = doc.paths[`${BASE}/{id}`]
  t.ok(list, 'documents /admin/v1/personas')
  t.ok(one, 'documents /admin/v1/personas/{id}')
  t.same(Object.keys(list).filter((m) => m !== 'parameters').sort(), ['get', 'post'])
  t.same(Object.keys(one).filter((m) => m !== 'parameters').sort(), ['delete', 'get', 'patch'])
  const operations: Array<[string, string, any]> = []
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(item)) operations.push([path, method, op])
  }
  for (const [path, method, op] of operations) {
    const label = `${method.toUpperCase()} ${path}`
    t.ok(Array.isArray(op.tags) && op.tags.length > 0, `${label} has tags`)
    const ok = op.responses?.['200'] ?? op.responses?.['201']
    const content = ok?.content as Record<string, { schema?: unknown }> | undefined
    t.ok(content && Object.values(content)[0]?.schema, `${label} documents its success schema`)
  }
  t.ok(doc.paths[BASE].post.responses['201'], 'POST documents 201')
  t.ok(doc.paths[BASE].post.requestBody, 'POST documents its body')
  t.match(doc.paths['/health'], { get: { tags: ['system'] } })
  t.match(doc.paths['/ready'], { get: { tags: ['system'] } })
  t.notOk(doc.paths['/mcp'], 'the WebSocket route is hidden')

  let ui = await app.inject({ method: 'GET', url: '/docs' })
  if (ui.statusCode >= 300 && ui.statusCode < 400) {
    const location = new URL(String(ui.headers.location), 'http://localhost/docs').pathname
    ui = await app.inject({ method: 'GET', url: location })
  }
  t.equal(ui.statusCode, 200, 'Swagger UI')
  t.match(ui.headers['content-type'], /text\/html/)
  t.match(ui.body, /swagger/i)
})

t.test('GET /health and /ready', async (t) => {
  const app = await build(t)
  const health = await call(app, 'GET', '/health')
  t.equal(health.status, 200)
  t.match(health.body, { status: 'healthy', server: String, version: String })
  t.same(Object.keys(health.body).sort(), ['server', 'status', 'version'])
  t.same((await call(app, 'GET', '/')).body, health.body, 'also on /')
  const ready = await call(app, 'GET', '/ready')
  t.equal(ready.status, 200)
  t.match(ready.body, { ready: true, components: { database: { status: 'up' } } })
})

t.test('system.status over a socket', async (t) => {
  const { client } = await buildWithClient(t)
  const status = await client.call('system.status')
  t.match(status, {
    system_status: 'operational',
    version: String,
    uptime_seconds: Number,
    llm_available: Boolean,
    total_personas: 2,
    available_personas: 2,
    active_conversations: 0,
    current_persona: null,
    components: { database: { status: 'up' } },
  })
  t.ok(status.uptime_seconds >= 0)
  t.ok(status.connections >= 1, 'counts this connection')
  t.ok(status.requests_total >= 1, 'counts this request')
  t.equal(new Date(status.timestamp).toISOString(), status.timestamp, 'ISO timestamp')

  const { persona_id: kira } = await client.call('persona.switch', { persona_id: 'Kira' })
  const after = await client.call('system.status')
  t.equal(after.current_persona, kira, 'the current persona after a switch')
  t.ok(after.requests_total > status.requests_total, 'requests counted')
})
