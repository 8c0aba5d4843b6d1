import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import WebSocket from 'ws'
import { startOllamaFixture } from './fixtures/ollama-server.ts'
import { createRateLimiter } from '../src/limits/rate-limiter.ts'
import type { RpcConnection } from '../src/rpc/context.ts'
import { build, buildWithClient, listen } from './helper.ts'
import { RpcClient } from './helpers/rpc-client.ts'

const until = async (check: () => boolean, what: string, ms = 8000) => {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

t.test('request rate limits refuse with retry_after, per request, and recover', async (t) => {
  const { client } = await buildWithClient(t, { rateLimits: { enabled: true, connection: { perSecond: 5, burst: 5 } } })
  const replies = await Promise.all(Array.from({ length: 10 }, () => client.request('persona.list')))
  const limited = replies.filter((r) => r.error?.code === -32007)
  t.equal(replies.length - limited.length, 5, 'the burst goes through')
  t.equal(limited.length, 5, 'the rest is refused, each request with its own reply')
  t.ok(limited.every((r) => r.error?.data.retry_after >= 1))
  const batch = await client.sendRaw(JSON.stringify([1, 2, 3].map((id) => ({ jsonrpc: '2.0', id, method: 'persona.list' }))))
  t.same(batch.map((r: { id: number, error?: { code: number } }) => [r.id, r.error?.code]), [[1, -32007], [2, -32007], [3, -32007]])
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.ok((await client.request('persona.list')).result, 'tokens come back with time')
})

t.test('the per-key rule is shared among the live instances, and follows their count', async (t) => {
  let instances = 1
  let clock = 0
  const limiter = createRateLimiter({ perConnection: { perSecond: 1000, burst: 1000 }, perKey: { perSecond: 30, burst: 12 }, instances: () => instances, now: () => clock })
  const connection = (id: string) => ({ id, user: { id: 'alice' }, signal: new AbortController().signal }) as unknown as RpcConnection
  const admitted = (id: string, n: number) => Array.from({ length: n }, () => limiter.admit(connection(id), 1)).filter((e) => e === undefined).length
  t.equal(admitted('c1', 20), 12, 'one instance: the whole burst')
  instances = 3
  clock += 10_000
  t.same(limiter.perKey, { perSecond: 10, burst: 4 }, 'three instances: a third each')
  t.equal(admitted('c2', 20), 4, 'a refilled bucket holds the smaller burst')
  clock += 1000
  t.equal(admitted('c2', 20), 4, 'and refills at a third of the rate (10/s, capped at 4)')
  clock += 200
  t.equal(admitted('c3', 20), 2, '200 ms at 10/s: two more')
  t.equal(limiter.maxBatch, 4, 'a batch beyond the share could never pass: it is too large, not "retry later"')
  t.match(limiter.admit(connection('c4'), 5), { code: -32600 })
  instances = 50
  t.same(limiter.perKey, { perSecond: 0.6, burst: 1 }, 'the burst is never below 1')
  instances = 1
  clock += 60_000
  t.same(limiter.perKey, { perSecond: 30, burst: 12 }, 'back to the whole rule when the others are gone')
  t.equal(admitted('c5', 20), 12)
})

t.test('a flood on one socket leaves the others responsive, and nothing is lost', async (t) => {
  const { client: flooder, url } = await buildWithClient(t, { rateLimits: { enabled: true } })
  const other = await RpcClient.connect(url)
  t.teardown(() => other.terminate())
  const flood = Array.from({ length: 10_000 }, (_, i) => flooder.request('persona.list', {}, `f${i}`))
  const started = performance.now()
  const quick = await other.request('persona.list')
  const waited = performance.now() - started
  t.ok(quick.result, `the other socket was answered (${waited.toFixed(0)} ms)`)
  const all = await Promise.all(flood)
  t.equal(all.length, 10_000, 'every flooded request got its reply')
  t.ok(all.filter((r) => r.error?.code === -32007).length > 9000, 'most of the flood was refused by the rate limit')
})

t.test('the connection limit closes extra sockets with 1013', async (t) => {
  const { url } = await buildWithClient(t, { server: { maxConnections: 1 } })
  const extra = await RpcClient.connect(url)
  const closed = await extra.closed()
  t.equal(closed.code, 1013)
  t.match(closed.reason, /connection limit/)
})

t.test('dead and idle peers are dropped by the heartbeat', async (t) => {
  const app = await build(t, { server: { heartbeatSeconds: 1, idleTimeoutSeconds: 2 } })
  const url = await listen(app)
  const idle = await RpcClient.connect(url)
  const idleClosed = idle.closed()
  const dead = new WebSocket(url, { autoPong: false })
  await new Promise((resolve) => dead.once('open', resolve))
  t.equal(app.runtime.connections, 2)
  const deadClosed = new Promise<number>((resolve) => dead.once('close', (code) => resolve(code)))
  await until(() => app.runtime.connections <= 1, 'the silent peer to be cut off')
  t.equal(await deadClosed, 1006, 'cut off without a close handshake: it was not answering')
  t.same(await idleClosed, { code: 1000, reason: 'idle timeout' }, 'an idle client is closed')
})

t.test('a full generation queue is refused as busy', async (t) => {
  const fixture = await startOllamaFixture({ models: ['llama3.1:8b'], firstChunkDelayMs: 400 })
  t.teardown(() => fixture.close())
  const { url } = await buildWithClient(t, { ollama: { host: fixture.url, maxConcurrent: 1, maxQueue: 1 } })
  const clients = await Promise.all([1, 2, 3].map(() => RpcClient.connect(url)))
  t.teardown(() => clients.forEach((c) => c.terminate()))
  await Promise.all(clients.map((c, i) => c.call('persona.switch', { persona_id: i === 1 ? 'kira' : 'aria' })))
  const replies = await Promise.all(clients.map((c) => c.request('persona.chat', { message: 'tell me something' })))
  const busy = replies.filter((r) => r.error?.code === -32011)
  t.equal(busy.length, 1, 'one runs, one waits, one is refused')
  t.ok(busy[0]?.error?.data.retry_after > 0)
  t.equal(replies.filter((r) => r.result).length, 2)
})

t.test('with server.tls the same port serves https and wss', async (t) => {
  const dir = t.testdir()
  mkdirSync(dir, { recursive: true })
  const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')]
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' })
  // the data dir is given so build() does not make (and empty) the test dir again
  const app = await build(t, { server: { dataDir: path.join(dir, 'data'), tls: { cert, key } } })
  const url = (await listen(app)).replace('ws://', 'wss://')
  const client = await RpcClient.connect(url, { rejectUnauthorized: false })
  t.teardown(() => client.terminate())
  t.equal((await client.call('persona.list')).total_count, 2, 'JSON-RPC over wss')
  const { port } = new URL(url)
  const health = await new Promise<number>((resolve, reject) => {
    import('node:https').then(({ get }) => get({ host: '127.0.0.1', port, path: '/health', rejectUnauthorized: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0) }).on('error', reject), reject)
  })
  t.equal(health, 200, 'and https')
})

t.test('/metrics speaks Prometheus and needs the admin scope', async (t) => {
  const keys = [{ user: 'ops', key: 'ops-admin-key', scope: 'admin' }, { user: 'eve', key: 'eve-client-key', scope: 'client' }]
  const app = await build(t, { auth: { apiKeys: keys } })
  const url = await listen(app)
  const client = await RpcClient.connect(url, { headers: { authorization: 'Bearer eve-client-key' } })
  t.teardown(() => client.terminate())
  await client.call('persona.list')
  await client.request('persona.switch', { persona_id: 'nobody' })
  t.equal((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer eve-client-key' } })).statusCode, 403)
  const res = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer ops-admin-key' } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  t.match(res.body, /persona_rpc_requests_total\{method="persona.list",outcome="ok"\} 1/)
  t.match(res.body, /persona_rpc_requests_total\{method="persona.switch",outcome="error"\} 1/)
  t.match(res.body, /persona_rpc_duration_seconds_bucket\{le="0.005",method="persona.list"\}/)
  t.match(res.body, /persona_websocket_connections 1/)
  t.match(res.body, /persona_memories\{persona="Aria"\} 0/)
  t.match(res.body, /persona_llm_generations\{state="running"\} 0/)
  t.match(res.body, /persona_events_relay_dropped_total 0/)
  t.match(res.body, /persona_events_relay_queued 0/)
})
