import t from 'tap'
import { Type } from '@sinclair/typebox'
import type { RpcConnection, RpcContext, RpcLogger } from '../../src/rpc/context.ts'
import { domainError, ErrorCode, errorReason, isRpcError, RpcError, toErrorObject } from '../../src/rpc/errors.ts'
import { failure, isFailure, notification, request, success } from '../../src/rpc/messages.ts'
import { defineMethod } from '../../src/rpc/method.ts'
import { createDiscoverMethod } from '../../src/rpc/openrpc.ts'
import { MethodRegistry } from '../../src/rpc/registry.ts'

const silent: RpcLogger = { debug () {}, info () {}, warn () {}, error () {} }
const connection: RpcConnection = {
  id: 'conn-1',
  user: { id: 'anonymous', scope: 'client' },
  session: { id: 'sess-1', userId: 'anonymous', personaId: null, conversationId: null },
  signal: new AbortController().signal,
  notify () {},
    sendText: () => true
}
const ctx: RpcContext = { connection, requestId: 1, log: silent }

const echo = defineMethod({
  name: 'test.echo',
  description: 'Echoes a message',
  params: Type.Object({
    message: Type.String({ description: 'what to echo' }),
    times: Type.Integer({ minimum: 1, default: 1 }),
    loud: Type.Optional(Type.Boolean())
  }),
  result: Type.Object({ text: Type.String() }),
  readOnly: true,
  // the handler is type-checked against the schemas: params.message is a string, times a number
  handler: (params) => ({ text: (params.loud === true ? params.message.toUpperCase() : params.message).repeat(params.times) })
})

function registry (validateResults = false): MethodRegistry {
  const r = new MethodRegistry({ validateResults }).add(echo)
  return r.addSystem(createDiscoverMethod(r, '9.9.9'))
}

async function rejection (p: Promise<unknown>): Promise<RpcError> {
  try {
    await p
  } catch (err) {
    if (err instanceof RpcError) return err
    throw err
  }
  throw new Error('expected a rejection')
}

t.test('add, get, list; duplicates and reserved names throw', async (t) => {
  const r = registry()
  t.equal(r.get('test.echo'), echo)
  t.equal(r.get('nope'), undefined)
  t.same(r.list().map((d) => d.name), ['test.echo'])
  t.throws(() => r.add(echo), /already registered/)
  t.throws(() => r.add({ ...echo, name: 'rpc.mine' }), /reserved/)
})

t.test('calls with valid params, applies defaults to a copy, allows extra keys', async (t) => {
  const r = registry()
  const raw = { message: 'hi', websocket_id: 'legacy-client-key' }
  t.same(await r.call('test.echo', raw, ctx), { text: 'hi' })
  t.same(raw, { message: 'hi', websocket_id: 'legacy-client-key' }, 'caller params not mutated by defaults')
  t.same(await r.call('test.echo', { message: 'ab', times: 2, loud: true }, ctx), { text: 'ABAB' })
})

t.test('params: omitted is {}, arrays and scalars are -32602', async (t) => {
  const noParams = defineMethod({
    name: 'test.none', description: 'x', params: Type.Object({}), result: Type.Null(), handler: () => null
  })
  const r = registry().add(noParams)
  t.equal(await r.call('test.none', undefined, ctx), null)
  for (const bad of [[1, 2], 'x', 3, null, true]) {
    const err = await rejection(r.call('test.none', bad, ctx))
    t.equal(err.code, ErrorCode.InvalidParams)
    t.match(err.message, /params must be an object/)
    t.equal(err.data?.reason, 'invalid_params')
  }
})

t.test('invalid params name the path and the reason', async (t) => {
  const err = await rejection(registry().call('test.echo', { message: 42, times: 0 }, ctx))
  t.equal(err.code, ErrorCode.InvalidParams)
  t.match(err.message, /\/message/)
  const errors = err.data?.errors as Array<{ path: string, message: string }>
  t.ok(errors.length > 0 && errors.length <= 5)
  t.ok(errors.some((e) => e.path === '/message' && e.message === 'Expected string'))
  t.ok(errors.some((e) => e.path === '/times'))
  const missing = await rejection(registry().call('test.echo', {}, ctx))
  t.ok((missing.data?.errors as Array<{ path: string }>).some((e) => e.path === '/message'))
})

t.test('params nested past the limit: -32602 from the registry itself (the MCP entry point), the handler never runs', async (t) => {
  let ran = 0
  const r = registry().add(defineMethod({
    name: 'test.any', description: 'x', params: Type.Object({ v: Type.Optional(Type.Unknown()) }), result: Type.Null(), handler: () => { ran++; return null }
  }))
  const nest = (n: number, leaf: unknown = 1) => {
    let value = leaf
    for (let i = 0; i < n; i++) value = i % 2 === 0 ? [value] : { k: value }
    return value
  }
  for (const n of [5_000, 100_000]) {
    // test.echo has a default: Value.Clone/Default used to overflow the stack on the extra member (-32603)
    for (const [method, params] of [['test.echo', { message: 'hi', extra: nest(n) }], ['test.any', { v: nest(n) }]] as const) {
      const err = await rejection(r.call(method, params, ctx))
      t.equal(err.code, ErrorCode.InvalidParams, `${method}, ${n} deep`)
      t.equal(err.message, 'Invalid params: params nested deeper than 64 levels')
      t.same(err.data, { reason: 'invalid_params', max_depth: 64 })
    }
  }
  t.equal(ran, 0)
  t.equal(await r.call('test.any', { v: nest(63) }, ctx), null, '64 levels in all are fine')
  t.equal(ran, 1)
  const cycle: Record<string, unknown> = {}
  cycle.self = cycle
  t.equal((await rejection(r.call('test.any', { v: cycle }, ctx))).code, ErrorCode.InvalidParams, 'a cycle (only from in-process callers) ends the walk too')
})

t.test('unknown method is -32601 with the name in data', async (t) => {
  const err = await rejection(registry().call('nope.nothing', {}, ctx))
  t.equal(err.code, ErrorCode.MethodNotFound)
  t.same(err.data, { reason: 'method_not_found', method: 'nope.nothing' })
})

t.test('results are validated only when enabled', async (t) => {
  const liar = defineMethod({
    name: 'test.liar',
    description: 'claims a string, returns a number',
    params: Type.Object({}),
    result: Type.String(),
    handler: () => 42 as unknown as string
  })
  t.equal(await registry(false).add(liar).call('test.liar', {}, ctx), 42)
  const err = await registry(true).add(liar).call('test.liar', {}, ctx).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof Error && !(err instanceof RpcError), 'a plain (internal) error')
  t.match((err as Error).message, /test\.liar.*Expected string/)
  t.same(await registry(true).call('test.echo', { message: 'ok' }, ctx), { text: 'ok' })
})

t.test('rpc.discover: a system method, the OpenRPC document of the registry, cached, rebuilt on add', async (t) => {
  const r = registry(true)
  const discover = async () => await r.call('rpc.discover', undefined, ctx) as Record<string, any>
  const doc = await discover()
  t.equal(doc.openrpc, '1.3.2')
  t.same(doc.info, { title: 'Persona MCP Server', version: '9.9.9' })
  t.same(r.list().map((d) => d.name), ['test.echo'], 'system methods are not the application\'s (MCP tools)')
  t.same(r.systemMethods().map((d) => d.name), ['rpc.discover'])
  t.same(doc.methods.map((m: { name: string }) => m.name), ['rpc.discover', 'test.echo'], 'it describes itself too')
  t.match(doc.methods[0].result.schema, { type: 'object', properties: { openrpc: { const: '1.3.2' }, methods: { type: 'array' } } }, 'its result is typed')
  const m = doc.methods[1]
  t.equal(m.description, 'Echoes a message')
  t.same(m.params.map((p: { name: string, required: boolean }) => [p.name, p.required]),
    [['message', true], ['times', false], ['loud', false]], 'a param with a default is not required')
  t.equal(m.params[0].description, 'what to echo')
  t.same(m.result, { name: 'result', schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } })
  t.same(JSON.parse(JSON.stringify(doc)), doc, 'plain JSON')
  t.equal(Object.getOwnPropertySymbols(m.params[0].schema).length, 0, 'no TypeBox symbols')
  t.equal(await discover(), doc, 'cached')
  r.add(defineMethod({ name: 'test.more', description: 'y', params: Type.Object({}), result: Type.Null(), handler: () => null }))
  const rebuilt = await discover()
  t.not(rebuilt, doc, 'rebuilt after add')
  t.equal(rebuilt.methods.length, 3)
  t.throws(() => r.addSystem({ ...echo, name: 'test.system' }), /start with "rpc."/)
  t.throws(() => r.addSystem(r.systemMethods()[0]!), /already registered/)
  t.rejects(new MethodRegistry().call('rpc.discover', undefined, ctx), { code: -32601 }, 'only where it was registered')
})

t.test('errors: domain errors carry reason, details and retry_after', async (t) => {
  const e = domainError(ErrorCode.PersonaNotFound, 'Persona not found: bob', { persona_id: 'bob' })
  t.equal(e.code, -32000)
  t.equal(e.message, 'Persona not found: bob')
  t.same(e.data, { reason: 'persona_not_found', persona_id: 'bob' })
  const limited = domainError(ErrorCode.RateLimited, 'Slow down', { retry_after: 1.2, reason: 'ignored' })
  t.same(limited.data, { reason: 'rate_limited', retry_after: 2 })
  t.same(toErrorObject(limited), { code: -32007, message: 'Slow down', data: { reason: 'rate_limited', retry_after: 2 } })
  t.same(toErrorObject(new Error('secret path /etc')), { code: -32603, message: 'Internal error', data: { reason: 'internal_error' } })
  t.same(new RpcError(-31999 as ErrorCode, 'custom').toJSON(), { code: -31999, message: 'custom' }, 'no data without data')
  const reasons = Object.values(ErrorCode).filter((v): v is ErrorCode => typeof v === 'number').map(errorReason)
  t.equal(new Set(reasons).size, reasons.length, 'every code has its own reason')
  t.ok(reasons.every((r) => typeof r === 'string'))
})

t.test('message builders', async (t) => {
  t.strictSame(request(0, 'm'), { jsonrpc: '2.0', id: 0, method: 'm' })
  t.strictSame(request('x', 'm', { a: 1 }), { jsonrpc: '2.0', id: 'x', method: 'm', params: { a: 1 } })
  t.strictSame(notification('n'), { jsonrpc: '2.0', method: 'n' })
  t.strictSame(notification('n', [1]), { jsonrpc: '2.0', method: 'n', params: [1] })
  t.strictSame(success(1, undefined), { jsonrpc: '2.0', id: 1, result: null }, 'undefined result still sends a result member')
  const f = failure(null, { code: -32600, message: 'Invalid Request' })
  t.ok(isFailure(f))
  t.notOk(isFailure(success(1, 2)))
  t.ok(isRpcError(domainError(ErrorCode.Busy, 'queue full', { retry_after: 3 })))
  t.notOk(isRpcError(new Error('x')))
})
