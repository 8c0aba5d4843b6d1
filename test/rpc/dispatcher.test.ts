import t from 'tap'
import type { Test } from 'tap'
import { Type } from '@sinclair/typebox'
import WebSocket from 'ws'
import { build, listen } from '../helper.ts'
import type { RpcConnection, RpcLogger } from '../../src/rpc/context.ts'
import { createDispatcher } from '../../src/rpc/dispatcher.ts'
import { domainError, ErrorCode } from '../../src/rpc/errors.ts'
import { defineMethod } from '../../src/rpc/method.ts'
import { createDiscoverMethod } from '../../src/rpc/openrpc.ts'
import { MethodRegistry } from '../../src/rpc/registry.ts'

interface LogEntry { level: string, obj: Record<string, unknown>, msg?: string }

function setup () {
  const logs: LogEntry[] = []
  const capture = (level: string) => (obj: object, msg?: string) => { logs.push({ level, obj: obj as Record<string, unknown>, msg }) }
  const log: RpcLogger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') }
  const calls: Array<[string, unknown]> = []
  const gates = new Map<string, () => void>()
  const events: string[] = []

  const registry = new MethodRegistry({ validateResults: true }).add(
    defineMethod({
      name: 'subtract',
      description: 'minuend - subtrahend',
      params: Type.Object({ minuend: Type.Number(), subtrahend: Type.Number() }),
      result: Type.Number(),
      handler: ({ minuend, subtrahend }) => minuend - subtrahend
    }),
    defineMethod({
      name: 'sum',
      description: 'adds numbers',
      params: Type.Object({ values: Type.Array(Type.Number()) }),
      result: Type.Number(),
      handler: ({ values }) => values.reduce((a, b) => a + b, 0)
    }),
    defineMethod({
      name: 'update',
      description: 'records a notification',
      params: Type.Object({ values: Type.Optional(Type.Array(Type.Number())) }),
      result: Type.Null(),
      handler: (params) => { calls.push(['update', params]); return null }
    }),
    defineMethod({
      name: 'notify_hello',
      description: 'records a notification',
      params: Type.Object({ value: Type.Number() }),
      result: Type.Null(),
      handler: (params) => { calls.push(['notify_hello', params]); return null }
    }),
    defineMethod({
      name: 'get_data',
      description: 'fixed data',
      params: Type.Object({}),
      result: Type.Tuple([Type.String(), Type.Number()]),
      handler: () => ['hello', 5] as [string, number]
    }),
    defineMethod({
      name: 'greet',
      description: 'default applied',
      params: Type.Object({ name: Type.Optional(Type.String({ default: 'world' })) }),
      result: Type.String(),
      handler: ({ name }) => `hello ${name ?? '(no default!)'}`
    }),
    defineMethod({
      name: 'whoami',
      description: 'context as seen by a handler',
      params: Type.Object({}),
      result: Type.Object({ connection: Type.String(), requestId: Type.Unknown() }),
      handler: (_p, ctx) => ({ connection: ctx.connection.id, requestId: ctx.requestId })
    }),
    defineMethod({
      name: 'boom',
      description: 'internal failure',
      params: Type.Object({}),
      result: Type.Null(),
      handler: () => { throw new Error('secret: password=hunter2 in /srv/db') }
    }),
    defineMethod({
      name: 'missing_persona',
      description: 'domain failure',
      params: Type.Object({}),
      result: Type.Null(),
      handler: () => { throw domainError(ErrorCode.PersonaNotFound, 'Persona not found: bob', { persona_id: 'bob' }) }
    }),
    defineMethod({
      name: 'liar',
      description: 'result does not match the schema',
      params: Type.Object({}),
      result: Type.String(),
      handler: () => 7 as unknown as string
    }),
    defineMethod({
      name: 'slow',
      description: 'waits for its gate',
      params: Type.Object({ key: Type.String() }),
      result: Type.String(),
      handler: async ({ key }) => {
        events.push(`start ${key}`)
        await new Promise<void>((resolve) => gates.set(key, resolve))
        events.push(`end ${key}`)
        return key
      }
    })
  )
  registry.addSystem(createDiscoverMethod(registry, '1.2.3'))
  const dispatcher = createDispatcher({ registry, log })
  const connection: RpcConnection = {
    id: 'conn-7',
    user: { id: 'anonymous', scope: 'client' },
    session: { id: 'sess-7', userId: 'anonymous', personaId: null, conversationId: null },
    signal: new AbortController().signal,
    notify () {},
    sendText: () => true
  }
  return { dispatcher, connection, registry, log, logs, calls, gates, events }
}

/** A reply has result or error, never both; error.data only when there is data. */
function checkShape (t: Test, reply: any): void {
  t.equal(reply.jsonrpc, '2.0')
  t.ok('id' in reply, 'has an id member')
  t.not('result' in reply, 'error' in reply, 'exactly one of result and error')
  if ('error' in reply) {
    t.type(reply.error.code, 'number')
    t.type(reply.error.message, 'string')
    if ('data' in reply.error) t.not(reply.error.data, undefined)
  }
}

async function send (t: Test, env: ReturnType<typeof setup>, text: string): Promise<any> {
  const out = await env.dispatcher.handleText(text, env.connection)
  if (out === undefined) return undefined
  const reply = JSON.parse(out)
  for (const r of Array.isArray(reply) ? reply : [reply]) checkShape(t, r)
  return reply
}

const byId = (a: any, b: any) => String(a.id).localeCompare(String(b.id))

t.test('spec examples: positional params are refused with -32602 (named params only)', async (t) => {
  const env = setup()
  for (const [text, id] of [
    ['{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}', 1],
    ['{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}', 2]
  ] as const) {
    const reply = await send(t, env, text)
    t.equal(reply.id, id)
    t.equal(reply.error.code, -32602)
    t.equal(reply.error.data.reason, 'invalid_params')
    t.match(reply.error.message, /params must be an object/)
  }
})

t.test('spec examples: named parameters', async (t) => {
  const env = setup()
  t.strictSame(await send(t, env, '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}'),
    { jsonrpc: '2.0', id: 3, result: 19 })
  t.strictSame(await send(t, env, '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}'),
    { jsonrpc: '2.0', id: 4, result: 19 })
})

t.test('spec examples: notifications get no reply, even on error', async (t) => {
  const env = setup()
  t.equal(await env.dispatcher.handleText('{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}', env.connection), undefined)
  t.equal(await env.dispatcher.handleText('{"jsonrpc": "2.0", "method": "foobar"}', env.connection), undefined)
  t.equal(await env.dispatcher.handleText('{"jsonrpc": "2.0", "method": "update", "params": {"values": [1,2]}}', env.connection), undefined)
  t.same(env.calls, [['update', { values: [1, 2] }]], 'a valid notification runs')
  t.equal(await env.dispatcher.handleText('{"jsonrpc": "2.0", "method": "boom"}', env.connection), undefined)
  t.ok(env.logs.some((l) => l.level === 'error' && l.obj.method === 'boom' && l.obj.id === undefined), 'internal error still logged')
})

t.test('spec examples: non-existent method', async (t) => {
  const reply = await send(t, setup(), '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}')
  t.equal(reply.id, '1')
  t.equal(reply.error.code, -32601)
  t.equal(reply.error.message, 'Method not found: foobar')
  t.same(reply.error.data, { reason: 'method_not_found', method: 'foobar' })
})

t.test('spec examples: invalid JSON', async (t) => {
  const reply = await send(t, setup(), '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]')
  t.same(reply, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error', data: { reason: 'parse_error' } } })
})

t.test('spec examples: invalid Request object', async (t) => {
  const reply = await send(t, setup(), '{"jsonrpc": "2.0", "method": 1, "params": "bar"}')
  t.equal(reply.id, null)
  t.equal(reply.error.code, -32600)
  t.equal(reply.error.message, 'Invalid Request')
  t.equal(reply.error.data.reason, 'invalid_request')
})

t.test('spec examples: batch with invalid JSON', async (t) => {
  const reply = await send(t, setup(), `[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]`)
  t.notOk(Array.isArray(reply))
  t.equal(reply.id, null)
  t.equal(reply.error.code, -32700)
})

t.test('spec examples: empty array is one -32600', async (t) => {
  const reply = await send(t, setup(), '[]')
  t.notOk(Array.isArray(reply))
  t.equal(reply.id, null)
  t.equal(reply.error.code, -32600)
})

t.test('spec examples: invalid batches [1] and [1,2,3]', async (t) => {
  const env = setup()
  const one = await send(t, env, '[1]')
  t.equal(one.length, 1)
  t.match(one[0], { id: null, error: { code: -32600 } })
  const three = await send(t, env, '[1,2,3]')
  t.equal(three.length, 3)
  for (const r of three) t.match(r, { id: null, error: { code: -32600 } })
})

t.test('spec examples: mixed batch', async (t) => {
  const env = setup()
  const reply = await send(t, env, `[
    {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
    {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
    {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
    {"foo": "boo"},
    {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
    {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
  ]`)
  t.equal(reply.length, 5, 'the notification gets nothing')
  const withId = reply.filter((r: any) => r.id !== null).sort(byId)
  t.match(withId, [
    { id: '1', error: { code: -32602 } }, // positional
    { id: '2', error: { code: -32602 } }, // positional
    { id: '5', error: { code: -32601, data: { method: 'foo.get' } } },
    { id: '9', result: ['hello', 5] }
  ])
  t.match(reply.filter((r: any) => r.id === null), [{ error: { code: -32600 } }])

  const named = await send(t, env, `[
    {"jsonrpc": "2.0", "method": "sum", "params": {"values": [1,2,4]}, "id": "1"},
    {"jsonrpc": "2.0", "method": "notify_hello", "params": {"value": 7}},
    {"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": "2"}
  ]`)
  t.strictSame(named.sort(byId), [{ jsonrpc: '2.0', id: '1', result: 7 }, { jsonrpc: '2.0', id: '2', result: 19 }])
  t.same(env.calls, [['notify_hello', { value: 7 }]])
})

t.test('spec examples: a batch of notifications gets nothing', async (t) => {
  const env = setup()
  t.equal(await env.dispatcher.handleText(`[
    {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
    {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
  ]`, env.connection), undefined)
  t.equal(await env.dispatcher.handleMessage([{ jsonrpc: '2.0', method: 'notify_hello', params: { value: 1 } }], env.connection), undefined)
  t.same(env.calls, [['notify_hello', { value: 1 }]])
})

t.test('ids are echoed exactly', async (t) => {
  const env = setup()
  for (const id of [0, -1, 1, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e300, '', '1', '0', 'ünïcødé 🎭 ид', 'a"b\\c', null]) {
    const reply = await send(t, env, JSON.stringify({ jsonrpc: '2.0', method: 'get_data', id }))
    t.equal(reply.id, id, `id ${JSON.stringify(id)}`)
    t.strictSame(reply.result, ['hello', 5])
  }
  const text = await env.dispatcher.handleText('{"jsonrpc":"2.0","method":"whoami","id":"x-1"}', env.connection)
  t.strictSame(JSON.parse(text!), { jsonrpc: '2.0', id: 'x-1', result: { connection: 'conn-7', requestId: 'x-1' } }, 'context built')
})

t.test('invalid requests: -32600, id echoed when it can be read', async (t) => {
  const env = setup()
  const cases: Array<[unknown, unknown]> = [
    [{ jsonrpc: '2.0', method: 'get_data', id: {} }, null],
    [{ jsonrpc: '2.0', method: 'get_data', id: [1] }, null],
    [{ jsonrpc: '2.0', method: 'get_data', id: true }, null],
    [{ jsonrpc: '1.0', method: 'get_data', id: 3 }, 3],
    [{ method: 'get_data', id: 'a' }, 'a'],
    [{ jsonrpc: 2, method: 'get_data', id: 4 }, 4],
    [{ jsonrpc: '2.0', id: 5 }, 5],
    [{ jsonrpc: '2.0', method: 5, id: 6 }, 6],
    [{ jsonrpc: '2.0', method: 'get_data', params: 'x', id: 7 }, 7],
    [{ jsonrpc: '2.0', method: 'get_data', params: null, id: 8 }, 8],
    [{ jsonrpc: '2.0', method: 'get_data', params: 3 }, null],
    ['a string', null],
    [null, null],
    [42, null]
  ]
  for (const [message, id] of cases) {
    const reply = await send(t, env, JSON.stringify(message))
    t.match(reply, { id, error: { code: -32600, message: 'Invalid Request', data: { reason: 'invalid_request' } } }, JSON.stringify(message))
    t.equal(reply.id, id)
  }
})

t.test('-32602 names the wrong param and why; defaults are applied', async (t) => {
  const env = setup()
  const reply = await send(t, env, '{"jsonrpc":"2.0","method":"subtract","params":{"minuend":"42","subtrahend":1},"id":1}')
  t.equal(reply.error.code, -32602)
  t.match(reply.error.message, /\/minuend Expected number/)
  t.match(reply.error.data, { reason: 'invalid_params', errors: [{ path: '/minuend', message: 'Expected number' }] })
  t.strictSame(await send(t, env, '{"jsonrpc":"2.0","method":"greet","id":2}'), { jsonrpc: '2.0', id: 2, result: 'hello world' })
  t.strictSame(await send(t, env, '{"jsonrpc":"2.0","method":"greet","params":{"name":"Aria","websocket_id":"w"},"id":3}'),
    { jsonrpc: '2.0', id: 3, result: 'hello Aria' }, 'extra params allowed')
})

t.test('internal errors: -32603 without internals, logged with the request id', async (t) => {
  const env = setup()
  const text = await env.dispatcher.handleText('{"jsonrpc":"2.0","method":"boom","id":"req-42"}', env.connection)
  t.strictSame(JSON.parse(text!), { jsonrpc: '2.0', id: 'req-42', error: { code: -32603, message: 'Internal error', data: { reason: 'internal_error' } } })
  t.notMatch(text!, /secret|hunter2|\/srv|at /)
  const entry = env.logs.find((l) => l.level === 'error')
  t.ok(entry)
  t.match(entry!.obj, { method: 'boom', id: 'req-42', connection: 'conn-7' })
  t.match((entry!.obj.err as Error).message, /hunter2/)

  const liar = await send(t, env, '{"jsonrpc":"2.0","method":"liar","id":9}')
  t.match(liar, { id: 9, error: { code: -32603, message: 'Internal error' } }, 'a lying result schema is an internal error')
  t.ok(env.logs.some((l) => l.level === 'error' && l.obj.id === 9 && /liar.*Expected string/.test((l.obj.err as Error).message)))
})

t.test('domain errors pass code, message and data through', async (t) => {
  const reply = await send(t, setup(), '{"jsonrpc":"2.0","method":"missing_persona","id":1}')
  t.strictSame(reply, {
    jsonrpc: '2.0',
    id: 1,
    error: { code: -32000, message: 'Persona not found: bob', data: { reason: 'persona_not_found', persona_id: 'bob' } }
  })
})

t.test('rpc.discover over the wire: plain JSON matching the registry', async (t) => {
  const env = setup()
  const reply = await send(t, env, '{"jsonrpc":"2.0","method":"rpc.discover","id":1}')
  t.equal(reply.result.openrpc, '1.3.2')
  t.same(reply.result.info, { title: 'Persona MCP Server', version: '1.2.3' })
  t.same(reply.result.methods.map((m: any) => m.name), ['rpc.discover', ...env.registry.list().map((d) => d.name)], 'itself first, then the methods')
  t.same(reply.result, await env.registry.call('rpc.discover', undefined, { connection: env.connection, requestId: 2, log: env.log }))
  const empty = await send(t, env, '{"jsonrpc":"2.0","method":"rpc.discover","params":[],"id":3}')
  t.same(empty.result, reply.result, 'an empty params array is no params (generic OpenRPC clients send one)')
  const subtract = reply.result.methods.find((m: any) => m.name === 'subtract')
  t.same(subtract.params, [
    { name: 'minuend', required: true, schema: { type: 'number' } },
    { name: 'subtrahend', required: true, schema: { type: 'number' } }
  ])
  t.same(subtract.result, { name: 'result', schema: { type: 'number' } })
})

t.test('a slow method in a batch does not hold up the others', async (t) => {
  const env = setup()
  const pending = env.dispatcher.handleText(JSON.stringify([
    { jsonrpc: '2.0', method: 'slow', params: { key: 'a' }, id: 'a' },
    { jsonrpc: '2.0', method: 'slow', params: { key: 'b' }, id: 'b' }
  ]), env.connection)
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
  t.same(env.events, ['start a', 'start b'], 'both handlers started before either finished')
  env.gates.get('b')?.()
  env.gates.get('a')?.()
  const reply = JSON.parse((await pending)!)
  t.strictSame(reply.sort(byId), [{ jsonrpc: '2.0', id: 'a', result: 'a' }, { jsonrpc: '2.0', id: 'b', result: 'b' }])
})

const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`

t.test('params nested 5,000 and 100,000 deep: -32602 before any schema work, nothing logged', async (t) => {
  const env = setup()
  for (const n of [5_000, 100_000]) {
    for (const [kind, deep] of [['array', deepArray(n)], ['object', deepObject(n)]] as const) {
      const label = `${n} deep ${kind}`
      // greet has a default: Value.Clone/Default recursed on the extra member and overflowed the stack (-32603)
      for (const text of [
        `{"jsonrpc":"2.0","method":"greet","params":{"name":"x","extra":${deep}},"id":1}`,
        `{"jsonrpc":"2.0","method":"sum","params":{"values":${deep}},"id":1}`
      ]) {
        const reply = await send(t, env, text)
        t.strictSame(reply, {
          jsonrpc: '2.0',
          id: 1,
          error: { code: -32602, message: 'Invalid params: params nested deeper than 64 levels', data: { reason: 'invalid_params', max_depth: 64 } }
        }, label)
      }
      const batch = await send(t, env, `[{"jsonrpc":"2.0","method":"greet","params":{"x":${deep}},"id":"deep"},{"jsonrpc":"2.0","method":"get_data","id":"ok"}]`)
      t.match(batch.sort(byId), [{ id: 'deep', error: { code: -32602, data: { max_depth: 64 } } }, { id: 'ok', result: ['hello', 5] }], `${label} in a batch element`)
      t.equal(await env.dispatcher.handleText(`{"jsonrpc":"2.0","method":"greet","params":{"x":${deep}}}`, env.connection), undefined, `${label} notification`)
    }
    // deep elsewhere in the message: nothing recurses on it, the request is just invalid
    t.match(await send(t, env, `{"jsonrpc":"2.0","method":"get_data","id":${deepArray(n)}}`), { id: null, error: { code: -32600 } }, 'deep id')
    t.match(await send(t, env, deepArray(n)), [{ id: null, error: { code: -32600 } }], 'a deep batch is one invalid element')
  }
  t.same(env.logs.filter((l) => l.level === 'error' || l.level === 'warn'), [], 'a client fault, not an internal error')
  // the limit: params itself is level 1, so 63 more levels are fine and 64 are not
  t.strictSame(await send(t, env, `{"jsonrpc":"2.0","method":"greet","params":{"x":${deepArray(63)}},"id":2}`), { jsonrpc: '2.0', id: 2, result: 'hello world' })
  t.match(await send(t, env, `{"jsonrpc":"2.0","method":"greet","params":{"x":${deepArray(64)}},"id":3}`), { id: 3, error: { code: -32602 } })
})

t.test('numeric ids beyond 2^53 are echoed byte for byte', async (t) => {
  const env = setup()
  const text = async (message: string) => await env.dispatcher.handleText(message, env.connection)
  for (const id of ['12345678901234567890', '-12345678901234567890', '9007199254740993', '-9007199254740993', '9007199254740992', '1e300', '123456789012345678901234567890']) {
    t.equal(await text(`{"jsonrpc":"2.0","id":${id},"method":"get_data"}`), `{"jsonrpc":"2.0","id":${id},"result":["hello",5]}`, `result, id ${id}`)
    t.equal(await text(`{"jsonrpc":"2.0","id":${id},"method":"nope"}`),
      `{"jsonrpc":"2.0","id":${id},"error":{"code":-32601,"message":"Method not found: nope","data":{"reason":"method_not_found","method":"nope"}}}`, `error, id ${id}`)
  }
  t.equal(await text('{"jsonrpc":"1.0","id":12345678901234567890,"method":"get_data"}'),
    '{"jsonrpc":"2.0","id":12345678901234567890,"error":{"code":-32600,"message":"Invalid Request","data":{"reason":"invalid_request","detail":"jsonrpc must be exactly \\"2.0\\""}}}', 'an invalid request')
  t.equal(await text('{ "id" : 1, "jsonrpc":"2.0", "method":"get_data", "id" : 12345678901234567890 }'), '{"jsonrpc":"2.0","id":12345678901234567890,"result":["hello",5]}',
    'the last duplicate key wins, as in JSON.parse')
  t.equal(await text('{"jsonrpc":"2.0","id":12345678901234567890,"method":"update"}'), '{"jsonrpc":"2.0","id":12345678901234567890,"result":null}')

  // a batch: replies keep element order, notifications and string ids in between
  const batch = await text(`[
    {"jsonrpc":"2.0","id":12345678901234567890,"method":"get_data"},
    {"jsonrpc":"2.0","method":"update"},
    {"jsonrpc":"2.0","id":"12345678901234567891","method":"get_data"},
    {"jsonrpc":"2.0","id":12345678901234567891,"method":"nope"},
    {"jsonrpc":"2.0","id":7,"method":"get_data"},
    {"jsonrpc":"2.0","id":-9007199254740993,"method":"get_data"},
    {"jsonrpc":"2.0","id":9007199254740993,"method":"get_data"},
    {"jsonrpc":"2.0","id":9007199254740992,"method":"get_data"}
  ]`)
  t.same([...batch!.matchAll(/"id":("[^"]*"|[-\d.e]+)/g)].map((m) => m[1]),
    ['12345678901234567890', '"12345678901234567891"', '12345678901234567891', '7', '-9007199254740993', '9007199254740993', '9007199254740992'])
  t.match(JSON.parse(batch!), [{ result: ['hello', 5] }, { result: ['hello', 5] }, { error: { code: -32601 } }, { id: 7 }, {}, {}, {}], 'still valid JSON')

  // normal ids take the usual path and come back as JSON.stringify writes them
  for (const id of ['0', '-1', '9007199254740991', '-9007199254740991', '1.5', '"12345678901234567890"', 'null']) {
    t.equal(await text(`{"jsonrpc":"2.0","id":${id},"method":"get_data"}`), `{"jsonrpc":"2.0","id":${id},"result":["hello",5]}`, `id ${id}`)
  }
  t.equal(await text('{"jsonrpc":"2.0","id":1e400,"method":"get_data"}'),
    '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request","data":{"reason":"invalid_request","detail":"id must be a string, a number or null"}}}', '1e400 is Infinity: not an id')
})

t.test('the real server over real sockets: deep params on WebSocket and MCP tools/call, big ids on WebSocket', async (t) => {
  const app = await build(t)
  const url = await listen(app)
  const socket = new WebSocket(url)
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
  t.teardown(() => socket.terminate())
  const exchange = (text: string) => new Promise<string>((resolve) => {
    socket.once('message', (data) => resolve(data.toString()))
    socket.send(text)
  })
  t.match(await exchange('{"jsonrpc":"2.0","id":12345678901234567890,"method":"ping"}'), /^\{"jsonrpc":"2.0","id":12345678901234567890,"result":\{"pong":true,/)
  const batch = await exchange('[{"jsonrpc":"2.0","id":-12345678901234567890,"method":"ping"},{"jsonrpc":"2.0","id":1,"method":"ping"}]')
  t.same([...batch.matchAll(/"id":(-?\d+)/g)].map((m) => m[1]), ['-12345678901234567890', '1'], 'a batch')
  // conversation.history has a default (limit), the kind of method whose defaults overflowed
  for (const n of [5_000, 100_000]) {
    const reply = JSON.parse(await exchange(`{"jsonrpc":"2.0","id":2,"method":"conversation.history","params":{"extra":${deepArray(n)}}}`))
    t.match(reply, { id: 2, error: { code: -32602, message: 'Invalid params: params nested deeper than 64 levels' } }, `WebSocket, ${n} deep`)
  }

  // MCP over HTTP by hand: an SDK client cannot even serialise such arguments (JSON.stringify overflows)
  const mcp = url.replace(/^ws:/, 'http:')
  const headers: Record<string, string> = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' }
  const post = async (body: string) => {
    const res = await fetch(mcp, { method: 'POST', headers, body })
    headers['mcp-session-id'] ??= res.headers.get('mcp-session-id') ?? ''
    const raw = await res.text()
    const data = raw.split('\n').find((line) => line.startsWith('data: '))
    return data === undefined ? (raw === '' ? undefined : JSON.parse(raw)) : JSON.parse(data.slice(6))
  }
  await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }))
  await post('{"jsonrpc":"2.0","method":"notifications/initialized"}')
  for (const n of [5_000, 100_000]) {
    const reply = await post(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"conversation_history","arguments":{"extra":${deepArray(n)}}}}`)
    t.equal(reply?.result?.isError, true, `MCP tools/call, ${n} deep: a tool error the model can read`)
    t.match(reply?.result?.content?.[0]?.text, /params nested deeper than 64 levels[\s\S]*-32602/)
  }
  t.match(JSON.parse(await exchange('{"jsonrpc":"2.0","id":3,"method":"ping"}')).result, { pong: true }, 'the server is fine')
})
