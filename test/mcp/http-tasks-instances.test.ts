import t from 'tap'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'
import { until } from './sdk-client.ts'

// Issue 14: a task (conversation_run as one) started by a tools/call that landed on A is polled, listed,
// waited on and cancelled through B, as behind a load balancer without sticky sessions.

const skip = postgresUnavailable() ?? false
const KEYS = [{ user: 'alice', key: 'alice-key', scope: 'client' }, { user: 'bob', key: 'bob-key', scope: 'client' }]

t.test('MCP tasks across instances', { skip }, async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const overrides = { server: { databaseUrl: await server.createDatabase() }, auth: { apiKeys: KEYS }, ollama: { host: fixture.url } }
  const [a, b] = [await build(t, overrides), await build(t, overrides)]
  const urls = { A: (await listen(a)).replace(/^ws:/, 'http:'), B: (await listen(b)).replace(/^ws:/, 'http:') }

  /** tools/call goes to A, every other request to B */
  const connect = async (key: string) => {
    const routed: string[] = []
    const transport = new StreamableHTTPClientTransport(new URL(urls.B), {
      requestInit: { headers: { 'x-api-key': key } },
      fetch: async (_input, init) => {
        const method = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }).method : undefined
        const on = method === 'tools/call' ? 'A' : 'B'
        routed.push(`${method ?? init?.method ?? 'GET'} -> ${on}`)
        return await fetch(urls[on], init)
      },
    })
    const client = new Client({ name: key, version: '1.0.0' })
    t.teardown(() => client.close())
    await client.connect(transport)
    return { client, routed }
  }
  const started = async (client: Client) => {
    const start = await client.callTool({ name: 'conversation_start', arguments: { persona1_id: 'aria', persona2_id: 'kira', topic: 'old maps' } })
    return (start.structuredContent as { conversation_id: string }).conversation_id
  }

  t.test('run on A, polled and its result fetched on B', async (t) => {
    const { client, routed } = await connect('alice-key')
    const id = await started(client)
    const seen: string[] = []
    let result: Record<string, unknown> | undefined
    let taskId = ''
    for await (const message of client.experimental.tasks.callToolStream({ name: 'conversation_run', arguments: { conversation_id: id, max_turns: 2 } },
      CallToolResultSchema, { task: { ttl: 60_000 } })) {
      seen.push(message.type)
      if (message.type === 'taskCreated') taskId = message.task.taskId
      if (message.type === 'result') result = message.result
      if (message.type === 'error') t.fail(String(message.error))
    }
    t.equal(seen[0], 'taskCreated')
    t.ok(routed.includes('tasks/get -> B') && routed.includes('tasks/result -> B'), `polled on B: ${routed.join(', ')}`)
    t.match(result, { structuredContent: { conversation_id: id, turns_taken: 2 } }, 'B answers tasks/result with what A\'s run returned')
    t.match(await client.experimental.tasks.getTask(taskId), { taskId, status: 'completed', ttl: 60_000 })
    t.ok((await client.experimental.tasks.listTasks()).tasks.some((task) => task.taskId === taskId), 'B lists it')

    const bob = await connect('bob-key')
    await t.rejects(bob.client.experimental.tasks.getTask(taskId), { code: -32602 }, 'another user\'s session does not see it')
    t.same((await bob.client.experimental.tasks.listTasks()).tasks, [], 'nor list it')
  })

  t.test('tasks/cancel on B stops the run on A, model request included', async (t) => {
    fixture.set({ firstChunkDelayMs: 3000 })
    t.teardown(() => fixture.set({ firstChunkDelayMs: 0 }))
    const { client } = await connect('alice-key')
    const id = await started(client)
    const asked = fixture.requests.length
    const aborted = fixture.aborted
    const stream = client.experimental.tasks.callToolStream({ name: 'conversation_run', arguments: { conversation_id: id, max_turns: 5 } }, CallToolResultSchema, { task: {} })
    const first = await stream.next()
    t.equal(first.value?.type, 'taskCreated')
    const taskId = first.value?.type === 'taskCreated' ? first.value.task.taskId : ''
    t.ok(await until(() => fixture.requests.slice(asked).some((r) => r.path === '/api/chat')), 'A is writing the first turn')
    t.match(await client.experimental.tasks.cancelTask(taskId), { taskId, status: 'cancelled' }, 'B cancels it')
    t.ok(await until(() => fixture.aborted === aborted + 1), 'A gave the model request up')
    const rest = []
    for await (const message of stream) rest.push(message.type)
    t.equal(rest.at(-1), 'error', 'the poller learns it was cancelled')
    t.match(await client.experimental.tasks.getTask(taskId), { status: 'cancelled' }, 'and it stays cancelled: A\'s late result is not stored over it')
  })
})
