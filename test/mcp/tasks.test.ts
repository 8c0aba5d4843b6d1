import t from 'tap'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js'
import type { Progress } from '@modelcontextprotocol/sdk/types.js'
import { connect, serve, until, type Kind } from './sdk-client.ts'

async function started (client: Client) {
  const start = await client.callTool({ name: 'conversation_start', arguments: { persona1_id: 'aria', persona2_id: 'kira', topic: 'old maps' } })
  return (start.structuredContent as { conversation_id: string }).conversation_id
}

for (const kind of ['websocket', 'http'] as Kind[]) {
  t.test(`conversation_run as a task (${kind}): created at once, polled, with progress, then its result`, async (t) => {
    const { url } = await serve(t)
    const client = await connect(t, url, kind)
    t.match(client.getServerCapabilities()?.tasks, { requests: { tools: { call: {} } }, cancel: {}, list: {} })
    const { tools } = await client.listTools()
    t.same(tools.find((tool) => tool.name === 'conversation_run')?.execution, { taskSupport: 'optional' })
    const id = await started(client)

    const progress: Progress[] = []
    const seen: string[] = []
    let result: Record<string, unknown> | undefined
    let taskId = ''
    for await (const message of client.experimental.tasks.callToolStream({ name: 'conversation_run', arguments: { conversation_id: id, max_turns: 3 } },
      CallToolResultSchema, { task: { ttl: 60_000 }, onprogress: (p) => { progress.push(p) } })) {
      seen.push(message.type)
      if (message.type === 'taskCreated') taskId = message.task.taskId
      if (message.type === 'result') result = message.result
      if (message.type === 'error') t.fail(String(message.error))
    }
    t.equal(seen[0], 'taskCreated', 'the call answers with a task')
    t.ok(seen.includes('taskStatus'), 'then it is polled with tasks/get')
    t.match(result, { structuredContent: { conversation_id: id, turns_taken: Number } }, 'tasks/result is the tool result')
    t.ok(await until(() => progress.length >= 2), `progress while it runs (${progress.length})`)
    t.match(await client.experimental.tasks.getTask(taskId), { taskId, status: 'completed', ttl: 60_000 })
    t.ok((await client.experimental.tasks.listTasks()).tasks.some((task) => task.taskId === taskId), 'tasks/list has it')

    const other = await connect(t, url, kind)
    await t.rejects(other.experimental.tasks.getTask(taskId), { code: -32602 }, 'another session does not see it')
  })
}

t.test('tasks/cancel stops the run, model request included', async (t) => {
  const { url, fixture } = await serve(t, {}, { firstChunkDelayMs: 3000 })
  const client = await connect(t, url)
  const id = await started(client)
  const stream = client.experimental.tasks.callToolStream({ name: 'conversation_run', arguments: { conversation_id: id, max_turns: 5 } }, CallToolResultSchema, { task: {} })
  const first = await stream.next()
  t.equal(first.value?.type, 'taskCreated')
  const taskId = first.value?.type === 'taskCreated' ? first.value.task.taskId : ''
  t.ok(await until(() => fixture.requests.some((r) => r.path === '/api/chat')), 'the first turn is being written')
  t.match(await client.experimental.tasks.cancelTask(taskId), { taskId, status: 'cancelled' })
  t.ok(await until(() => fixture.aborted === 1), 'the model request was given up')
  const rest = []
  for await (const message of stream) rest.push(message.type)
  t.equal(rest.at(-1), 'error', 'the poller learns it was cancelled')
  t.match(await client.experimental.tasks.getTask(taskId), { status: 'cancelled' })
})

t.test('other tools refuse to run as tasks; without a task conversation_run is as before', async (t) => {
  const { url } = await serve(t)
  const client = await connect(t, url)
  const stream = client.experimental.tasks.callToolStream({ name: 'persona_list', arguments: {} }, CallToolResultSchema, { task: {} })
  const first = await stream.next()
  t.match(first.value, { type: 'error', error: { code: -32601 } }, 'the spec\'s -32601 for a tool without task support')
  const id = await started(client)
  const plain = await client.callTool({ name: 'conversation_run', arguments: { conversation_id: id, max_turns: 2 } })
  t.notOk(plain.isError)
  t.match(plain.structuredContent, { conversation_id: id, turns_taken: Number }, 'a plain call still answers with the result')
})
