import t from 'tap'
import { Type } from '@sinclair/typebox'
import type { RpcConnection } from '../../src/rpc/context.ts'
import { forCall } from '../../src/mcp/connection.ts'
import { promptNames } from '../../src/mcp/prompts.ts'
import { page, toInputSchema, toOutputSchema } from '../../src/mcp/wire.ts'
import { listedMethods, toolName, toTool } from '../../src/mcp/tools.ts'
import type { McpDeps } from '../../src/mcp/types.ts'
import type { MethodDefinition } from '../../src/rpc/method.ts'
import { MethodRegistry } from '../../src/rpc/registry.ts'
import type { Persona } from '../../src/personas/types.ts'

const quiet = { debug () {}, info () {}, warn () {}, error () {} }

t.test('TypeBox declarations become MCP schemas as they are', async (t) => {
  const params = Type.Object({
    message: Type.String({ minLength: 1 }),
    token_budget: Type.Integer({ default: 500 }),
    options: Type.Object({ depth: Type.Integer(), style: Type.String({ default: 'plain' }) }),
    flags: Type.Object({ quick: Type.Boolean({ default: false }) }),
  })
  const input = toInputSchema(params)
  t.same(input.required, ['message', 'options', 'flags'], 'what has a default is optional: the registry fills it in')
  t.same((input.properties?.options as { required: string[] }).required, ['depth'], 'nested objects too')
  t.notOk('required' in (input.properties?.flags as object), 'an object with nothing required has no required list')
  t.same(Object.getOwnPropertySymbols(input), [], 'TypeBox symbols are gone')
  t.same(params.required, ['message', 'token_budget', 'options', 'flags'], 'the declaration itself is untouched')
  t.equal(toOutputSchema(Type.Array(Type.String())), undefined, 'structuredContent is an object: arrays get no outputSchema')
  t.match(toOutputSchema(Type.Object({ a: Type.String() })), { type: 'object', required: ['a'] })

  t.equal(toolName('persona.chat_stream'), 'persona_chat_stream')
  const tool = toTool({ name: 'x.list', description: 'd', params: Type.Object({}), result: Type.Array(Type.String()), readOnly: true, handler: () => [] })
  t.match(tool, { name: 'x_list', annotations: { readOnlyHint: true, title: 'x.list' } })
  t.notOk('outputSchema' in tool)
})

t.test('tool annotations say what each tool does, from its declaration', async (t) => {
  const def = (extra: Partial<MethodDefinition>): MethodDefinition => ({ name: 'x.y', description: 'd', params: Type.Object({ id: Type.String() }), result: Type.Object({}), handler: () => ({}), ...extra })
  t.same(toTool(def({ readOnly: true })).annotations, { title: 'x.y', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    'a query changes nothing: idempotent by nature')
  t.same(toTool(def({})).annotations, { title: 'x.y', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false }, 'a plain change is additive')
  t.same(toTool(def({ destructive: true, idempotent: true })).annotations, { title: 'x.y', readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false })
  const deleting = toTool(def({ destructive: true }))
  t.same(deleting.inputSchema.required, ['id'])
  t.match(deleting.inputSchema.properties, { id: { type: 'string' }, confirm: { type: 'boolean' } }, 'a destructive tool takes confirm')
  t.notOk('confirm' in (toTool(def({})).inputSchema.properties ?? {}))
  t.same(toTool(def({ name: 'conversation.run' })).execution, { taskSupport: 'optional' }, 'long runs may be tasks')
  t.notOk('execution' in toTool(def({})), 'other tools do not say (forbidden by default)')
})

t.test('tools are listed sorted by name, whatever order they were registered in', async (t) => {
  const method = (name: string): MethodDefinition => ({ name, description: 'd', params: Type.Object({}), result: Type.Object({}), handler: () => ({}) })
  const registry = new MethodRegistry().add(method('visual.update'), method('persona.list'), method('events.subscribe'), method('memory.store'), method('persona.chat'))
  const names = listedMethods({ registry } as unknown as McpDeps, { id: 'u', scope: 'client' }).map((d) => d.name)
  t.same(names, ['memory.store', 'persona.chat', 'persona.list', 'visual.update'])
})

t.test('list pages carry an opaque cursor', async (t) => {
  const items = Array.from({ length: 7 }, (_v, i) => i)
  const first = page(items, undefined, 3)
  t.same(first.items, [0, 1, 2])
  const second = page(items, first.nextCursor, 3)
  t.same(second.items, [3, 4, 5])
  const last = page(items, second.nextCursor, 3)
  t.same(last, { items: [6] }, 'the last page has no nextCursor')
  t.same(page(items, undefined, 7), { items }, 'an exact fit is one page')
  t.throws(() => page(items, 'bogus', 3), { code: -32602 }, 'a cursor we did not issue is invalid params')
})

t.test('prompt names are unique per persona', async (t) => {
  const p = (id: string, name: string) => ({ id, name }) as Persona
  const names = [...promptNames([p('1', 'Aria'), p('2', 'Old Tom'), p('3', 'old-tom'), p('4', '!!!')]).keys()]
  t.same(names, ['roleplay_aria', 'roleplay_old_tom', 'roleplay_3', 'roleplay_4'])
})

t.test('a call\'s connection shares the session and turns stream chunks into progress', async (t) => {
  const base: RpcConnection = {
    id: 'mcp_test_1', user: { id: 'u', scope: 'client' }, session: { id: 's1', userId: 'u', personaId: null, conversationId: null },
    signal: new AbortController().signal, notify () {}, sendText: () => false,
  }
  const sent: unknown[] = []
  const cancel = new AbortController()
  const call = forCall(base, { signal: cancel.signal, progressToken: 'tok', sendNotification: async (n) => { sent.push(n) } }, quiet)
  call.session = { id: 's2', userId: 'u', personaId: 'p', conversationId: null }
  t.equal(base.session.id, 's2', 'session.resume inside a call changes the MCP session')
  call.notify('stream.event', { event_type: 'stream_start' })
  call.notify('stream.event', { event_type: 'stream_chunk', chunk: 'Hel' })
  call.notify('stream.event', { event_type: 'stream_chunk', chunk: 'lo' })
  call.notify('stream.event', { event_type: 'conversation_turn' })
  call.notify('events.event', { topic: 'x' })
  await new Promise((resolve) => setImmediate(resolve))
  t.same(sent.map((n) => (n as { params: unknown }).params), [
    { progressToken: 'tok', progress: 1, message: 'Hel' },
    { progressToken: 'tok', progress: 2, message: 'lo' },
    { progressToken: 'tok', progress: 3, message: 'conversation_turn' },
  ])
  t.equal(call.sendText('{}'), false, 'no raw channel over MCP')
  t.notOk(call.signal.aborted)
  cancel.abort()
  t.ok(call.signal.aborted, 'notifications/cancelled aborts the call')
  const silent = forCall(base, { signal: cancel.signal, sendNotification: async (n) => { sent.push(n) } }, quiet)
  silent.notify('stream.event', { event_type: 'stream_chunk', chunk: 'x' })
  t.equal(sent.length, 3, 'no progressToken, no progress')
})
