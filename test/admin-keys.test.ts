import t from 'tap'
import { build, listen } from './helper.ts'
import { RpcClient } from './helpers/rpc-client.ts'

const ADMIN = { authorization: 'Bearer ops-admin-key' }
const keys = [{ user: 'ops', key: 'ops-admin-key', scope: 'admin' }]

t.test('API keys: created with the secret shown once, listed without it, revoked for good', async (t) => {
  const app = await build(t, { auth: { apiKeys: keys } })
  const url = await listen(app)
  const created = await app.inject({ method: 'POST', url: '/admin/v1/api-keys', headers: ADMIN, payload: { user_id: 'alice', label: 'laptop' } })
  t.equal(created.statusCode, 201)
  const key = created.json()
  t.match(key, { user_id: 'alice', scope: 'client', label: 'laptop', secret: /^pmk_/, key_prefix: key.secret.slice(0, 8), revoked_at: null })

  const listed = await app.inject({ url: '/admin/v1/api-keys', headers: ADMIN })
  t.equal(listed.json().total, 1)
  t.notMatch(listed.body, key.secret, 'the secret is never listed')
  t.notOk('secret' in listed.json().items[0])

  const alice = await RpcClient.connect(url, { headers: { authorization: `Bearer ${key.secret}` } })
  t.equal((await alice.call('session.get_info')).user_id, 'alice', 'the new key is a user')
  alice.terminate()
  t.equal((await app.inject({ url: '/admin/v1/personas', headers: { authorization: `Bearer ${key.secret}` } })).statusCode, 403, 'a client key is no admin')

  const revoked = await app.inject({ method: 'DELETE', url: `/admin/v1/api-keys/${key.id}`, headers: ADMIN })
  t.equal(revoked.statusCode, 200)
  t.type(revoked.json().revoked_at, 'string')
  await t.rejects(RpcClient.connect(url, { headers: { authorization: `Bearer ${key.secret}` } }), /401/)
  t.equal((await app.inject({ method: 'DELETE', url: '/admin/v1/api-keys/nope', headers: ADMIN })).statusCode, 404)
  const bad = await app.inject({ method: 'POST', url: '/admin/v1/api-keys', headers: ADMIN, payload: { user_id: 'no spaces allowed', scope: 'root' } })
  t.equal(bad.statusCode, 400)
})

t.test('the REST API is rate limited per client and recovers', async (t) => {
  const app = await build(t, { auth: { apiKeys: keys }, rateLimits: { enabled: true, rest: { max: 3, windowSeconds: 1 } } })
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await app.inject({ url: '/admin/v1/personas', headers: ADMIN })).statusCode)
  t.same(statuses, [200, 200, 200, 429])
  const limited = await app.inject({ url: '/admin/v1/personas', headers: ADMIN })
  t.ok(Number(limited.headers['retry-after']) >= 1, 'with a retry-after header')
  t.match(limited.json(), { statusCode: 429, message: /Rate limit/i })
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal((await app.inject({ url: '/admin/v1/personas', headers: ADMIN })).statusCode, 200)
})
