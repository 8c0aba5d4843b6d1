import t from 'tap'
import type { Test } from 'tap'
import WebSocket from 'ws'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js'
import { createRateLimiter } from '../../src/limits/rate-limiter.ts'
import type { RpcConnection } from '../../src/rpc/context.ts'
import { build, listen, type TestApp } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'

// Issue 11 item 6: per-key buckets outlive connections, every face meets the same limiter, batches are bounded.
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket

const KEYS = [
  { user: 'alice', key: 'alice-client-key', scope: 'client' },
  { user: 'bob', key: 'bob-client-key', scope: 'client' },
]
const auth = (key: string) => ({ headers: { authorization: `Bearer ${key}` } })

async function serve (t: Test, key: { perSecond: number, burst: number }, connection = { perSecond: 50, burst: 100 }) {
  const app = await build(t, { auth: { apiKeys: KEYS }, rateLimits: { enabled: true, key, connection } })
  return { app, url: await listen(app) }
}

async function until (check: () => boolean, what: string) {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

async function mcpHttp (t: Test, url: string, key: string) {
  const client = new Client({ name: 'rate-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url.replace(/^ws:/, 'http:')), { requestInit: auth(key) }))
  t.teardown(() => client.close())
  return client
}

async function mcpWs (t: Test, url: string, key: string) {
  const client = new Client({ name: 'rate-test', version: '1.0.0' })
  await client.connect(new WebSocketClientTransport(new URL(`${url}?api_key=${key}`)))
  t.teardown(() => client.close())
  return client
}

const toolText = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as Array<{ text: string }>)[0]?.text ?? ''

t.test('a reconnect loop with one key is held to the per-key rate', async (t) => {
  const { app, url } = await serve(t, { perSecond: 20, burst: 20 })
  let admitted = 0
  let refused = 0
  const started = performance.now()
  for (let round = 0; round < 50; round++) {
    const client = await RpcClient.connect(url, auth('alice-client-key'))
    const replies = await Promise.all(Array.from({ length: 10 }, () => client.request('persona.list')))
    admitted += replies.filter((r) => r.result).length
    refused += replies.filter((r) => r.error?.code === -32007).length
    client.terminate()
    // the server has seen the close (the old limiter dropped the key's bucket right then)
    await until(() => (app as TestApp).runtime.connections === 0, 'the close')
  }
  const seconds = (performance.now() - started) / 1000
  const allowed = 20 + 20 * seconds
  t.ok(admitted <= allowed + 2, `${admitted} of 500 admitted in ${seconds.toFixed(2)} s across 50 reconnects (the key allows ${allowed.toFixed(0)})`)
  t.equal(admitted + refused, 500, 'the rest was refused with -32007')
})

t.test('MCP tools/call, resources/read and prompts/get over HTTP and WebSocket share the JSON-RPC key bucket', async (t) => {
  const { url } = await serve(t, { perSecond: 0.01, burst: 6 })
  const rpc = await RpcClient.connect(url, auth('alice-client-key'))
  t.teardown(() => rpc.terminate())
  const http = await mcpHttp(t, url, 'alice-client-key')
  const ws = await mcpWs(t, url, 'alice-client-key')

  t.ok((await rpc.request('persona.list')).result, 'JSON-RPC takes one token')
  for (const client of [http, ws]) {
    t.notOk((await client.callTool({ name: 'persona_list', arguments: {} })).isError, 'a tool call takes one')
    await client.readResource({ uri: 'session://current' })
  }
  t.ok((await rpc.request('persona.list')).result, 'the sixth and last')

  for (const [face, client] of [['HTTP', http], ['WebSocket', ws]] as const) {
    const call = await client.callTool({ name: 'persona_list', arguments: {} })
    t.equal(call.isError, true, `MCP ${face}: the tool call is refused as a tool error`)
    t.match(toolText(call), /Too many requests from user alice[\s\S]*"code":-32007[\s\S]*"retry_after":\d+/)
    await t.rejects(client.readResource({ uri: 'session://current' }), { code: -32007, data: { reason: 'rate_limited' } }, `MCP ${face}: resources/read gets -32007`)
    await t.rejects(client.getPrompt({ name: 'roleplay_aria' }), { code: -32007 }, `MCP ${face}: prompts/get gets -32007`)
  }
  t.equal((await rpc.request('persona.list')).error?.code, -32007, 'and the JSON-RPC face is out of tokens too')

  const bob = await mcpHttp(t, url, 'bob-client-key')
  t.notOk((await bob.callTool({ name: 'persona_list', arguments: {} })).isError, 'another key has its own bucket')
})

t.test('MCP resources/subscribe, unsubscribe and logging/setLevel (writes of the session\'s record) take a token too', async (t) => {
  const { url } = await serve(t, { perSecond: 0.01, burst: 3 })
  for (const face of ['HTTP', 'WebSocket'] as const) {
    const key = face === 'HTTP' ? 'alice-client-key' : 'bob-client-key'
    const client = face === 'HTTP' ? await mcpHttp(t, url, key) : await mcpWs(t, url, key)
    await client.subscribeResource({ uri: 'persona://aria' })
    await client.unsubscribeResource({ uri: 'persona://aria' })
    await client.setLoggingLevel('error')
    await t.rejects(client.subscribeResource({ uri: 'persona://aria' }), { code: -32007, data: { reason: 'rate_limited' } }, `MCP ${face}: the fourth change is refused`)
    await t.rejects(client.unsubscribeResource({ uri: 'persona://aria' }), { code: -32007 })
    await t.rejects(client.setLoggingLevel('debug'), { code: -32007 })
  }
})

t.test('a batch larger than the burst is refused naming the largest batch', async (t) => {
  const { url } = await serve(t, { perSecond: 200, burst: 400 }, { perSecond: 50, burst: 100 })
  const client = await RpcClient.connect(url, auth('alice-client-key'))
  t.teardown(() => client.terminate())
  const batch = (n: number) => JSON.stringify(Array.from({ length: n }, (_, id) => ({ jsonrpc: '2.0', id, method: 'persona.list' })))
  const refused: Array<{ error?: { code: number, message: string, data: Record<string, unknown> } }> = await client.sendRaw(batch(101))
  t.equal(refused.length, 101, 'every request of it gets its reply')
  t.ok(refused.every((r) => r.error?.code === -32600), 'Invalid Request: waiting would never help')
  t.match(refused[0]?.error, { message: /batch too large, at most 100 requests/, data: { reason: 'invalid_request', max_batch: 100 } })
  const passed: Array<{ result?: unknown }> = await client.sendRaw(batch(100))
  t.ok(passed.every((r) => r.result), 'a batch of the burst goes through')
})

function fakeConnection (userId: string, id = `c-${userId}`) {
  const closed = new AbortController()
  const connection = { id, user: { id: userId, scope: 'client' }, signal: closed.signal } as unknown as RpcConnection
  return { connection, close: () => closed.abort() }
}

t.test('the key buckets stay bounded under many distinct keys, and only refilled ones are forgotten', async (t) => {
  let clock = 0
  const limiter = createRateLimiter({ perConnection: { perSecond: 10, burst: 10 }, perKey: { perSecond: 1, burst: 3 }, maxKeys: 100, now: () => clock })
  for (let i = 0; i < 10_000; i++) {
    const { connection, close } = fakeConnection(`user${i}`)
    limiter.admit(connection, 1)
    close()
  }
  t.ok(limiter.trackedKeys <= 100, `${limiter.trackedKeys} key buckets after 10,000 distinct keys`)
  t.equal(limiter.trackedConnections, 0, 'connection buckets go with their connections')

  const first = fakeConnection('mallory', 'm1')
  t.equal(limiter.admit(first.connection, 3), undefined)
  first.close()
  const again = fakeConnection('mallory', 'm2')
  t.match(limiter.admit(again.connection, 1), { code: -32007 }, 'a new connection does not refill the key')
  clock += 10_000
  limiter.admit(fakeConnection('newcomer').connection, 1)
  t.ok(limiter.trackedKeys <= 2, `refilled buckets are dropped once idle (${limiter.trackedKeys} left)`)
})
