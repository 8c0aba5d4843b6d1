import t from 'tap'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'
import { startServer } from '../client/server.ts'
import { until } from '../mcp/sdk-client.ts'

// Issue 14: `kill -9` of the instance running an MCP task. The task was acknowledged (tools/call answered
// with it), so its poller must hear how it ended: another instance fails it once its hold runs out.

t.setTimeout(120_000)
const skip = postgresUnavailable() ?? false

t.test('a task whose instance is killed mid-run is failed by another, and its poller told', { skip }, async (t) => {
  const pg = await startPostgres()
  t.teardown(() => pg.stop())
  // the model never answers: the run is under way when its instance dies
  const ollama = await startOllamaFixture({ firstChunkDelayMs: 600_000 })
  t.teardown(() => ollama.close())
  const config = path.join(t.testdir(), 'config.json')
  // a hold of 3 s (renewed every second), and the sweep that fails abandoned tasks every 1.5 s
  writeFileSync(config, JSON.stringify({ mcp: { taskLeaseSeconds: 3, sessionIdleMinutes: 0.05 } }))
  const env = { DATABASE_URL: await pg.createDatabase(), OLLAMA_HOST: ollama.url, PERSONA_CONFIG: config }
  const a = await startServer(t, env)
  const b = await startServer(t, env)
  const http = (s: { port: number }) => `http://127.0.0.1:${s.port}/mcp`

  // tools/call lands on A, everything else on B
  const transport = new StreamableHTTPClientTransport(new URL(http(b)), {
    fetch: async (_input, init) => {
      const method = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }).method : undefined
      return await fetch(method === 'tools/call' ? http(a) : http(b), init)
    },
  })
  const client = new Client({ name: 'poller', version: '1.0.0' })
  t.teardown(() => client.close())
  await client.connect(transport)
  const start = await client.callTool({ name: 'conversation_start', arguments: { persona1_id: 'aria', persona2_id: 'kira', topic: 'the tide' } })
  const conversationId = (start.structuredContent as { conversation_id: string }).conversation_id

  const stream = client.experimental.tasks.callToolStream({ name: 'conversation_run', arguments: { conversation_id: conversationId, max_turns: 3 } },
    CallToolResultSchema, { task: { ttl: 600_000 } })
  const first = await stream.next()
  const taskId = first.value?.type === 'taskCreated' ? first.value.task.taskId : ''
  t.ok(taskId, 'the call answered with a task')
  t.ok(await until(() => ollama.requests.some((r) => r.path === '/api/chat'), 10_000), 'A is writing the first turn')
  await new Promise((resolve) => setTimeout(resolve, 4000)) // past its first hold: A renewed it, the task is still working
  t.match(await client.experimental.tasks.getTask(taskId), { status: 'working' }, 'held by A while A lives')
  a.kill('SIGKILL')

  const ended: string[] = []
  let result: unknown
  for await (const message of stream) {
    ended.push(message.type)
    if (message.type === 'result') result = message.result
  }
  t.match(await client.experimental.tasks.getTask(taskId), { status: 'failed', statusMessage: /stopped before it finished/ }, 'B failed it')
  t.ok(ended.length > 0, `the poller's stream ended (${ended.join(', ')})`)
  if (result !== undefined) t.match(result, { isError: true, content: [{ text: /stopped before it finished/ }] }, 'with the reason as the result')
})
