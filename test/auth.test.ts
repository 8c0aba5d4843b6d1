import t from 'tap'
import type { Test } from 'tap'
import { build, listen } from './helper.ts'
import { RpcClient } from './helpers/rpc-client.ts'
import { MAX_CACHED_MISSES } from '../src/auth/service.ts'

const KEYS = [
  { user: 'ops', key: 'ops-admin-key', scope: 'admin' },
  { user: 'alice', key: 'alice-key-1', scope: 'client' },
  { user: 'bob', key: 'bob-key-22', scope: 'client' },
]
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } })

async function secured (t: Test) {
  const app = await build(t, { auth: { apiKeys: KEYS } })
  const url = await listen(app)
  const connect = async (options: Parameters<typeof RpcClient.connect>[1], target = url) => {
    const client = await RpcClient.connect(target, options)
    t.teardown(() => client.terminate())
    return client
  }
  return { app, url, connect }
}

t.test('every face refuses a missing or wrong key, and admin routes need the admin scope', async (t) => {
  const { app, url, connect } = await secured(t)
  await t.rejects(RpcClient.connect(url), /401/, 'no key: 401 before the upgrade')
  await t.rejects(RpcClient.connect(url, bearer('wrong-key')), /401/)
  const refused = await app.inject({ method: 'GET', url: '/mcp', headers: { upgrade: 'websocket' } })
  t.equal(refused.statusCode, 401)
  t.match(refused.json(), { statusCode: 401, code: 'UNAUTHORIZED', message: /Bearer/ })
  t.equal(refused.headers['www-authenticate'], 'Bearer')

  for (const options of [bearer('alice-key-1'), { headers: { 'x-api-key': 'alice-key-1' } }]) {
    const client = await connect(options)
    t.equal((await client.call('session.get_info')).user_id, 'alice')
  }
  const viaQuery = await connect({}, `${url}?api_key=bob-key-22`)
  t.equal((await viaQuery.call('session.get_info')).user_id, 'bob', 'browsers can pass ?api_key=')
  const withProtocol = await new Promise<RpcClient>((resolve, reject) => {
    // a browser offers the key as a subprotocol beside the one it speaks
    import('ws').then(({ default: WebSocket }) => {
      const socket = new WebSocket(url, ['jsonrpc', 'apikey.ops-admin-key'])
      socket.once('open', () => resolve(RpcClient.wrap(socket)))
      socket.once('error', reject)
    }, reject)
  })
  t.teardown(() => withProtocol.terminate())
  t.equal((await withProtocol.call('session.get_info')).user_id, 'ops')

  t.equal((await app.inject({ method: 'GET', url: '/admin/v1/personas' })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/admin/v1/personas', ...bearer('alice-key-1') })).statusCode, 403)
  t.equal((await app.inject({ method: 'GET', url: '/admin/v1/personas', ...bearer('ops-admin-key') })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'health stays open')
  t.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200)

  const alice = await connect(bearer('alice-key-1'))
  const prune = await alice.request('memory.prune', { persona_id: 'aria' })
  t.equal(prune.error?.code, -32005, 'operator methods need the admin scope')
})

t.test('user A cannot read user B\'s conversations or memories by any method', async (t) => {
  const { app, connect } = await secured(t)
  const alice = await connect(bearer('alice-key-1'))
  const bob = await connect(bearer('bob-key-22'))
  await alice.call('persona.switch', { persona_id: 'aria' })
  await alice.call('persona.chat', { message: 'My secret is that I keep bees in Dunmore' })
  await alice.call('memory.store', { content: 'Alice hides the key under the blue stone' })
  const { session_id } = await alice.call('session.get_info')
  const { conversation_id } = await alice.call('conversation.history')

  await bob.call('persona.switch', { persona_id: 'aria' })
  t.equal((await bob.request('session.resume', { session_id })).error?.code, -32003, 'her session is not found for him')
  t.equal((await bob.request('conversation.status', { conversation_id })).error?.code, -32009, 'nor her conversation')
  t.same((await bob.call('conversation.history')).messages, [], 'his own thread is empty')
  for (const query of ['bees in Dunmore', 'key under the blue stone']) {
    t.same((await bob.call('memory.search', { query, n_results: 20 })).memories, [], `memory.search "${query}" finds nothing of hers`)
    t.same((await bob.call('persona.memory', { query })).memories, [])
    const cross = await bob.call('memory.search_cross_persona', { persona_id: 'kira', query, min_importance: 0 })
    t.same(cross.memories, [])
  }
  t.same((await bob.call('persona.memory', { query: '' })).memories, [], 'nor in the recent list')
  t.equal((await bob.call('memory.stats', { persona_id: 'aria' })).total_memories, 0, 'nor in his counts')
  await bob.call('persona.chat', { message: 'Where are the bees kept?' })
  const prompt = app.db.sqlite.prepare("SELECT content FROM Message WHERE role = 'user' AND speakerId = 'bob'").all()
  t.equal(prompt.length, 1)
  t.equal((await alice.call('memory.stats', { persona_id: 'aria' })).total_memories, 2, 'hers are all still there')
})

t.test('keys created through the service work until revoked', async (t) => {
  const { app, url, connect } = await secured(t)
  const created = await app.auth.create({ userId: 'carol', scope: 'client', label: 'laptop' })
  t.match(created.secret, /^pmk_/)
  t.notMatch(JSON.stringify(await app.db.prisma.apiKey.findMany()), created.secret, 'only the hash is stored')
  const carol = await connect(bearer(created.secret))
  t.equal((await carol.call('session.get_info')).user_id, 'carol')
  await app.auth.revoke(created.id)
  await t.rejects(RpcClient.connect(url, bearer(created.secret)), /401/, 'a revoked key is refused')
})

t.test('wrong keys are remembered in a bounded cache only, and right keys keep working', async (t) => {
  const { app, url } = await secured(t)
  const created = await app.auth.create({ userId: 'carol', scope: 'client' })
  t.same(await app.auth.identify(created.secret), { id: 'carol', scope: 'client' })
  const distinct = MAX_CACHED_MISSES * 5
  let admitted = 0
  for (let i = 0; i < distinct; i++) if (await app.auth.identify(`wrong-key-${i}`) !== null) admitted++
  const statuses = new Set<number>()
  for (let i = 0; i < 50; i++) {
    statuses.add((await fetch(url.replace(/^ws:/, 'http:').replace(/\/mcp$/, '/admin/v1/personas'), bearer(`wrong-http-${i}`))).status)
  }
  t.equal(admitted, 0, 'no wrong key is taken')
  t.same([...statuses], [401], 'over HTTP too')
  t.ok(app.auth.cachedKeys() <= MAX_CACHED_MISSES + 1, `${distinct + 50} distinct wrong keys: ${app.auth.cachedKeys()} remembered`)
  t.equal(await app.auth.identify('wrong-key-1'), null, 'a forgotten wrong key is still wrong')
  t.same(await app.auth.identify(created.secret), { id: 'carol', scope: 'client' }, 'the flood did not push out a right key')
  await app.auth.revoke(created.id)
  t.equal(await app.auth.identify(created.secret), null, 'and revoking still takes effect at once')
})

t.test('browser origins other than the server\'s own are refused', async (t) => {
  const app = await build(t, { auth: { apiKeys: KEYS }, server: { allowedOrigins: ['https://console.example'] } })
  const url = await listen(app)
  const port = new URL(url).port
  const withOrigin = (origin: string) => ({ headers: { ...bearer('alice-key-1').headers, origin } })
  await t.rejects(RpcClient.connect(url, withOrigin('https://evil.example')), /403/)
  const own = await RpcClient.connect(url, withOrigin(`http://127.0.0.1:${port}`))
  own.terminate()
  const listed = await RpcClient.connect(url, withOrigin('https://console.example'))
  listed.terminate()
  t.pass('the server\'s own origin and listed origins are let in')
})

t.test('without keys the server refuses a non-loopback address unless told otherwise', async (t) => {
  await t.rejects(build(t, { server: { host: '0.0.0.0' } }), /not loopback/)
  const open = await build(t, { server: { host: '0.0.0.0' }, auth: { allowAnonymous: true } })
  t.ok(open, 'auth.allowAnonymous allows it')
})
