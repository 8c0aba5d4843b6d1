import t from 'tap'
import type { Test } from 'tap'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build } from '../helper.ts'
import { exercise } from './flow.ts'
import { NO_CHILD_COVERAGE } from '../child-env.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** `persona-mcp stdio` as Claude Desktop starts it; every stdout line it cannot parse lands in `errors` */
async function spawnServer (t: Test, env: Record<string, string>) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['bin/persona-mcp.js', 'stdio'],
    cwd: root,
    env: { ...getDefaultEnvironment(), ...NO_CHILD_COVERAGE, ...env },
    stderr: 'pipe',
  })
  const errors: Error[] = []
  transport.onerror = (err) => { errors.push(err) }
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const client = new Client({ name: 'stdio-test', version: '1.0.0' })
  await client.connect(transport)
  t.teardown(() => client.close())
  return { client, errors, stderr: () => stderr }
}

t.test('stdio: `persona-mcp stdio` serves MCP with nothing but protocol on stdout', async (t) => {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const names = (await build(t)).rpc.registry.list().map((d) => d.name)
  const env = { DATA_DIR: t.testdir(), OLLAMA_HOST: fixture.url, VECTOR_STORE: 'local', LOG_LEVEL: 'info' }
  const first = await spawnServer(t, env)
  const second = await spawnServer(t, env)

  await exercise(t, first.client, second.client, names)

  t.same(first.errors, [], 'every stdout line was a protocol message')
  t.same(second.errors, [])
  const logs = first.stderr().split('\n').filter(Boolean)
  t.ok(logs.some((line) => JSON.parse(line).msg === 'serving MCP on stdio'), 'logs go to stderr, as pino JSON')
})
