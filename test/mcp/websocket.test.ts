import t from 'tap'
import type { Test } from 'tap'
import WebSocket from 'ws'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'
import { exercise } from './flow.ts'

// Node 20 has no global WebSocket; the SDK's client transport expects one
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket

async function serve (t: Test, overrides: Record<string, Record<string, unknown>> = {}) {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const app = await build(t, { ...overrides, ollama: { host: fixture.url } })
  return { app, url: await listen(app) }
}

async function connect (t: Test, url: string) {
  const client = new Client({ name: 'ws-test', version: '1.0.0' })
  await client.connect(new WebSocketClientTransport(new URL(url)))
  t.teardown(() => client.close())
  return client
}

/** the subprotocol the server picked for what a client offered; false when the handshake failed */
function negotiate (url: string, offered: string[]): Promise<string | false> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, offered)
    socket.once('open', () => { resolve(socket.protocol); socket.terminate() })
    socket.once('error', () => resolve(false))
  })
}

t.test('MCP over WebSocket (subprotocol mcp): the SDK client does the whole walk', async (t) => {
  const { app, url } = await serve(t)
  const first = await connect(t, url)
  const second = await connect(t, url)
  await exercise(t, first, second, app.rpc.registry.list().map((d) => d.name))

  // the plain JSON-RPC API is still the default on the same path, with sessions of its own
  const rpc = await RpcClient.connect(url)
  t.teardown(() => rpc.terminate())
  t.equal((await rpc.call('persona.list')).total_count, 2)
  t.equal((await rpc.call('session.get_info')).current_persona, null)
  t.equal(app.runtime.connections, 3, 'MCP sessions count as connections')
})

t.test('subprotocol negotiation on /mcp', async (t) => {
  const { url } = await serve(t)
  t.equal(await negotiate(url, ['mcp']), 'mcp')
  t.equal(await negotiate(url, ['jsonrpc', 'mcp']), 'mcp', 'MCP when offered')
  t.equal(await negotiate(url, ['jsonrpc']), 'jsonrpc')
  t.equal(await negotiate(url, ['apikey.secret-1', 'jsonrpc']), 'jsonrpc', 'the key is never echoed while a real protocol is offered')
  t.equal(await negotiate(url, ['apikey.secret-1', 'mcp']), 'mcp')
  t.equal(await negotiate(url, ['apikey.secret-1']), 'apikey.secret-1', 'a key alone is echoed: a handshake must name one')
  t.equal(await negotiate(url, ['graphql-ws']), false, 'an unknown protocol is refused')
  t.equal(await negotiate(url, []), '', 'no subprotocol: JSON-RPC')
})

t.test('initialize over WebSocket negotiates 2025-06-18 and 2025-11-25', async (t) => {
  const { url } = await serve(t)
  for (const version of ['2025-06-18', '2025-11-25']) {
    const socket = new WebSocket(url, ['mcp'])
    t.teardown(() => socket.terminate())
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
    const reply = new Promise<any>((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()))))
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }))
    t.match(await reply, { id: 1, result: { protocolVersion: version, serverInfo: { name: 'persona-mcp' } } })
  }
})

t.test('MCP WebSocket sessions take the caller from its API key, and a foreign Origin is refused', async (t) => {
  const { url } = await serve(t, {
    auth: { apiKeys: [{ user: 'alice', key: 'alice-key-1', scope: 'client' }] },
    server: { allowedOrigins: [] },
  })
  t.equal(await negotiate(url, ['mcp']), false, 'no key: refused before the upgrade')
  const client = await connect(t, `${url}?api_key=alice-key-1`)
  t.match((await client.callTool({ name: 'session_get_info', arguments: {} })).structuredContent, { user_id: 'alice' })
  const foreign = await new Promise<boolean>((resolve) => {
    const socket = new WebSocket(`${url}?api_key=alice-key-1`, ['mcp'], { origin: 'http://evil.example' })
    socket.once('open', () => { resolve(true); socket.terminate() })
    socket.once('error', () => resolve(false))
  })
  t.equal(foreign, false, 'a browser page elsewhere cannot open it')
})

t.test('notifications/cancelled stops a chat under way, model request included', async (t) => {
  const fixture = await startOllamaFixture({ firstChunkDelayMs: 3000 })
  t.teardown(() => fixture.close())
  const app = await build(t, { ollama: { host: fixture.url } })
  const client = await connect(t, await listen(app))
  await client.callTool({ name: 'persona_switch', arguments: { persona_id: 'kira' } })
  const started = fixture.requests.length
  const abort = new AbortController()
  const chat = client.callTool({ name: 'persona_chat', arguments: { message: 'a long question' } }, undefined, { signal: abort.signal, onprogress: () => {} })
  const deadline = Date.now() + 5000
  while (!fixture.requests.slice(started).some((r) => r.path === '/api/chat') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  abort.abort('changed my mind')
  await t.rejects(chat, 'the client stops waiting')
  while (fixture.aborted === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(fixture.aborted, 1, 'the server gave up the model request too')
})
