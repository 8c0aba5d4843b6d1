import { randomBytes } from 'node:crypto'
import type { CreateTaskOptions } from '@modelcontextprotocol/sdk/experimental/tasks'
import type { Result, Task } from '@modelcontextprotocol/sdk/types.js'
import type { McpTaskRecord, McpTaskRepository } from './repository.ts'
import { POLL_MS, taskRunner, type RunningTasks, type SessionTasks } from './tasks.ts'

// The tasks of an MCP HTTP session are rows (McpTask, beside its McpSession record): a client polling
// tasks/get or waiting on tasks/result behind a load balancer lands on any instance, and each answers from
// the row (the SDK's handlers poll the store every pollInterval). The work runs where tools/call landed;
// a tasks/cancel served elsewhere ends the row and is announced, and the instance running it aborts it.
// The instance running a task holds it (heldUntil), renewing the hold while the work goes; a task whose hold
// ran out lost its instance (killed, cut off), and any instance's sweep fails it, so its poller is told.

const PAGE = 10

const toTask = (r: McpTaskRecord): Task => ({
  taskId: r.taskId, status: r.status, ttl: r.ttl, createdAt: r.createdAt.toISOString(), lastUpdatedAt: r.lastUpdatedAt.toISOString(),
  ...(r.pollInterval !== null && { pollInterval: r.pollInterval }), ...(r.statusMessage !== null && { statusMessage: r.statusMessage }),
})

export interface RecordTaskStoreDeps {
  records: McpTaskRepository
  running: RunningTasks
  /** tells the other instances a task was cancelled (the one running it stops); undefined when there are none */
  announceCancel?: (taskId: string) => void
  /** how long a task is held at once (keepTaskHolds renews it a third of that before it runs out) */
  holdMs: number
  now?: () => Date
}

/** A session copy's task store over the records; the SDK passes every call the transport's session id. */
export function createRecordTaskStore ({ records, running, announceCancel, holdMs, now = () => new Date() }: RecordTaskStoreDeps): SessionTasks {
  const runner = taskRunner(running)
  const session = (sessionId: string | undefined): string => {
    // only Streamable HTTP sessions get this store, and their transport always has an id once initialised
    if (sessionId === undefined) throw new Error('a task needs its MCP session id')
    return sessionId
  }
  const found = async (taskId: string, sessionId: string | undefined): Promise<McpTaskRecord> => {
    const record = await records.find(taskId, session(sessionId))
    if (record === null) throw new Error(`Task with ID ${taskId} not found`)
    return record
  }
  const ended = (taskId: string) => new Error(`Task ${taskId} has ended: a task's status and result are set once`)

  return {
    async createTask (options: CreateTaskOptions, _requestId, _request, sessionId) {
      const at = now()
      const record: McpTaskRecord = {
        taskId: randomBytes(16).toString('hex'), sessionId: session(sessionId), status: 'working', statusMessage: null,
        ttl: options.ttl ?? null, pollInterval: options.pollInterval ?? POLL_MS, createdAt: at, lastUpdatedAt: at, result: null,
        heldUntil: new Date(at.getTime() + holdMs),
      }
      await records.create(record)
      return toTask(record)
    },
    async getTask (taskId, sessionId) {
      const record = await records.find(taskId, session(sessionId))
      return record === null ? null : toTask(record)
    },
    async storeTaskResult (taskId, status, result, sessionId) {
      if (!(await records.transition(taskId, session(sessionId), { status, result: result as Record<string, unknown> }, now()))) throw ended(taskId)
    },
    async getTaskResult (taskId, sessionId): Promise<Result> {
      const { result } = await found(taskId, sessionId)
      if (result === null) throw new Error(`Task ${taskId} has no result stored`)
      return result as Result
    },
    async updateTaskStatus (taskId, status, statusMessage, sessionId) {
      if (!(await records.transition(taskId, session(sessionId), { status, ...(statusMessage !== undefined && { statusMessage }) }, now()))) throw ended(taskId)
      if (status === 'cancelled' && !running.abort(taskId, 'task cancelled')) announceCancel?.(taskId)
    },
    async listTasks (cursor, sessionId) {
      const page = await records.list(session(sessionId), cursor, PAGE + 1)
      if (page === null) throw new Error(`Invalid cursor: ${cursor}`)
      const tasks = page.slice(0, PAGE).map(toTask)
      return { tasks, ...(page.length > PAGE && { nextCursor: tasks[tasks.length - 1]!.taskId }) }
    },
    start: runner.start,
    // the rows stay: the task is the session's, and the session lives on elsewhere (its record going takes them)
    close: runner.stopAll,
  }
}

interface Logger { warn (obj: object, msg?: string): void }

/** Renews the hold on the tasks running here, a third of `holdMs` apart; returns the function that stops it. */
export function keepTaskHolds ({ records, running, holdMs, log }: Pick<RecordTaskStoreDeps, 'records' | 'running' | 'holdMs'> & { log: Logger }): () => void {
  const timer = setInterval(() => {
    const ids = running.ids()
    if (ids.length === 0) return
    records.renew(ids, new Date(Date.now() + holdMs)).catch((err: unknown) => { log.warn({ err, tasks: ids.length }, 'MCP task holds not renewed') })
  }, Math.max(10, Math.floor(holdMs / 3)))
  timer.unref()
  return () => { clearInterval(timer) }
}

const ABANDONED = 'The server instance that ran this task stopped before it finished; run it again'

/** Fails the tasks whose instance stopped holding them (any instance may sweep); how many. */
export async function failAbandonedTasks (records: McpTaskRepository, now = new Date()): Promise<number> {
  return await records.failAbandoned(now, { status: 'failed', statusMessage: ABANDONED, result: { isError: true, content: [{ type: 'text', text: ABANDONED }] } })
}
