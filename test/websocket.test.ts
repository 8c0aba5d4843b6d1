import t from 'tap'
import { Type } from '@sinclair/typebox'
import { defineMethod } from '../src/rpc/method.ts'
import { build, buildWithClient, listen } from './helper.ts'
import { RpcClient } from './helpers/rpc-client.ts'

function deferred () {
  let resolve!: () => void
  const promise = new Promise<void>((r) => { resolve = r })
  return { promise, resolve }
}

t.test('JSON-RPC over a real WebSocket follows the specification', async (t) => {
  const { client } = await buildWithClient(t)

  const list = await client.request('persona.list', undefined, 'req-1')
  t.equal(list.id, 'req-1', 'string id echoed')
  t.same(list.result.personas.map((p: { name: string }) => p.name).sort(), ['Aria', 'Kira'])
  t.notOk('error' in list, 'a success has no error member')

  const numbered = await client.request('persona.list', {}, 0)
  t.equal(numbered.id, 0, 'number id 0 echoed as a number')

  t.same(await client.sendRaw('{"jsonrpc":"2.0","method":"persona.list","id":'), {
    jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error', data: { reason: 'parse_error' } },
  }, 'parse error with id null')

  const batch = await client.sendRaw(JSON.stringify([
    { jsonrpc: '2.0', id: 'a', method: 'persona.list' },
    { jsonrpc: '2.0', method: 'persona.list' },
    { jsonrpc: '2.0', id: 'b', method: 'no.such' },
    { jsonrpc: '1.0', id: 'c', method: 'persona.list' },
  ]))
  t.equal(batch.length, 3, 'notification in a batch gets no reply')
  const byId = Object.fromEntries(batch.map((r: { id: string }) => [r.id, r]))
  t.ok(byId.a.result)
  t.equal(byId.b.error.code, -32601)
  t.equal(byId.c.error.code, -32600)

  // a notification gets nothing back: the next frame is the reply to the following request
  client.socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'persona.list' }))
  const after = await client.request('system.status', undefined, 'after-notification')
  t.equal(after.id, 'after-notification')

  const binary = await client.sendRaw(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"persona.list"}'), { binary: true })
  t.equal(binary.error.code, -32600, 'binary frames get a clear error')
  t.match(binary.error.message, /binary/)

  t.match(await client.call('ping'), { pong: true, timestamp: String })

  const discover = await client.call('rpc.discover')
  t.equal(discover.openrpc.split('.')[0], '1')
  const names = discover.methods.map((m: { name: string }) => m.name)
  for (const name of ['persona.list', 'persona.get', 'persona.switch', 'persona.status', 'persona.create', 'persona.update',
    'persona.delete', 'session.get_info', 'session.clear', 'session.resume', 'system.status']) {
    t.ok(names.includes(name), `rpc.discover lists ${name}`)
  }
})

t.test('a frame over the limit closes the socket with 1009', async (t) => {
  const { client } = await buildWithClient(t, { server: { maxFrameBytes: 1024 } })
  const closed = client.closed()
  client.socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'persona.create', params: { name: 'x'.repeat(2000) } }))
  t.equal((await closed).code, 1009)
})

t.test('a slow call does not hold up the next one on the same socket', async (t) => {
  const app = await build(t)
  const gate = deferred()
  app.rpc.registry.add(defineMethod({
    name: 'test.slow',
    description: 'waits for the test',
    params: Type.Object({}),
    result: Type.Literal('done'),
    handler: async () => { await gate.promise; return 'done' as const },
  }))
  const client = await RpcClient.connect(await listen(app))
  t.teardown(() => client.terminate())
  const slow = client.request('test.slow')
  const fast = await client.request('persona.list')
  t.ok(fast.result, 'the fast call answered while the slow one waits')
  gate.resolve()
  t.equal((await slow).result, 'done')
})

t.test('each connection has its own session and current persona', async (t) => {
  const { url, client: first } = await buildWithClient(t)
  const second = await RpcClient.connect(url)
  t.teardown(() => second.terminate())

  await first.call('persona.switch', { persona_id: 'kira' })
  const mine = await first.call('persona.status')
  t.equal(mine.persona.name, 'Kira')
  const theirs = await second.request('persona.status')
  t.equal(theirs.error?.code, -32001, 'the other socket has no persona')
  t.equal(theirs.error?.data.reason, 'no_active_persona')

  const a = await first.call('session.get_info')
  const b = await second.call('session.get_info')
  t.not(a.session_id, b.session_id)
  t.same(a.current_persona?.name, 'Kira')
  t.equal(b.current_persona, null)
})

t.test('session.resume takes a session back after reconnecting', async (t) => {
  const { url, client } = await buildWithClient(t)
  await client.call('persona.switch', { persona_id: 'Aria' })
  const { session_id } = await client.call('session.get_info')

  const other = await RpcClient.connect(url)
  t.teardown(() => other.terminate())
  const busy = await other.request('session.resume', { session_id })
  t.equal(busy.error?.data.reason, 'session_in_use', 'a live session cannot be taken')

  const closed = client.closed()
  client.socket.close()
  await closed
  const again = await RpcClient.connect(url)
  t.teardown(() => again.terminate())
  const resumed = await again.call('session.resume', { session_id })
  t.same(resumed, { session_id, resumed: true, current_persona: resumed.current_persona })
  t.equal(resumed.current_persona.name, 'Aria')
  t.equal((await again.call('persona.status')).persona.name, 'Aria', 'the current persona came back')

  const missing = await again.request('session.resume', { session_id: 'no-such-session' })
  t.equal(missing.error?.code, -32003)

  t.same(await again.call('session.clear'), { session_id, cleared: true })
  t.equal((await again.request('persona.status')).error?.code, -32001)
})

t.test('shutdown finishes calls in flight, then closes sockets with 1001', async (t) => {
  const app = await build(t)
  const gate = deferred()
  const started = deferred()
  app.rpc.registry.add(defineMethod({
    name: 'test.slow',
    description: 'waits for the test',
    params: Type.Object({}),
    result: Type.Literal('done'),
    handler: async () => { started.resolve(); await gate.promise; return 'done' as const },
  }))
  const client = await RpcClient.connect(await listen(app))
  const reply = client.request('test.slow')
  const closed = client.closed()
  await started.promise
  const closing = app.close()
  setTimeout(() => gate.resolve(), 50)
  t.equal((await reply).result, 'done', 'the call under way was answered')
  t.equal((await closed).code, 1001, 'then the socket closed as going away')
  await closing
})

t.test('/mcp without an upgrade says how to connect', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/mcp' })
  t.equal(res.statusCode, 426)
  t.match(res.json().message, /WebSocket/)
})
