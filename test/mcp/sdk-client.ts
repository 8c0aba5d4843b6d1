import type { Test } from 'tap'
import WebSocket from 'ws'
import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js'
import { startOllamaFixture, type FixtureOptions } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'

// An app on a real port with the Ollama stand-in, and SDK clients on either MCP transport
// (the completions, logging and confirmation tests share them).

globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket

export type Kind = 'websocket' | 'http'

export async function serve (t: Test, overrides: Record<string, Record<string, unknown>> = {}, fixtureOptions: FixtureOptions = {}) {
  const fixture = await startOllamaFixture(fixtureOptions)
  t.teardown(() => fixture.close())
  const app = await build(t, { ...overrides, ollama: { host: fixture.url, ...overrides.ollama } })
  return { app, fixture, url: await listen(app) }
}

/** `apiKey` is sent the way each transport carries it: query parameter (WebSocket) or header (HTTP). */
export async function connect (t: Test, wsUrl: string, kind: Kind = 'websocket', options: ClientOptions = {}, apiKey?: string): Promise<Client> {
  const client = new Client({ name: `${kind}-test`, version: '1.0.0' }, options)
  if (kind === 'websocket') {
    await client.connect(new WebSocketClientTransport(new URL(apiKey ? `${wsUrl}?api_key=${apiKey}` : wsUrl)))
  } else {
    const headers: Record<string, string> = apiKey ? { 'x-api-key': apiKey } : {}
    await client.connect(new StreamableHTTPClientTransport(new URL(wsUrl.replace(/^ws:/, 'http:')), { requestInit: { headers } }))
  }
  t.teardown(() => client.close())
  return client
}

export const text = (result: Record<string, unknown>) => ((result.content as Array<{ text?: string }> | undefined)?.[0]?.text ?? '')

export async function until (check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  return check()
}
