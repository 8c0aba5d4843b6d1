import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks'
import type { RequestTaskStore } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { CallToolResult, CreateTaskResult, Task } from '@modelcontextprotocol/sdk/types.js'
import type { RpcLogger } from '../rpc/context.ts'

/** Methods whose MCP tools may run as a task (2025-11-25 tasks utility): long persona-to-persona runs. */
export const TASK_TOOLS: ReadonlySet<string> = new Set(['conversation.run'])
const POLL_MS = 500
const HOUR_MS = 3_600_000
/** a finished task's result is kept this long unless the client asked for less */
const MAX_TTL_MS = 24 * HOUR_MS

/**
 * One MCP session's tasks: the SDK's in-memory store (tasks/get, tasks/result, tasks/list and tasks/cancel
 * are the SDK's handlers over it), plus what the store lacks: tasks/cancel reaching the work under way.
 * One store per session, so WebSocket and stdio sessions (no transport session id) see only their own.
 */
export class SessionTaskStore extends InMemoryTaskStore {
  readonly #running = new Map<string, AbortController>()

  override async updateTaskStatus (taskId: string, status: Task['status'], statusMessage?: string, sessionId?: string): Promise<void> {
    await super.updateTaskStatus(taskId, status, statusMessage, sessionId)
    if (status === 'cancelled') this.#running.get(taskId)?.abort(new Error('task cancelled'))
  }

  /**
   * Creates the task and runs `work` in the background with a signal that tasks/cancel aborts; the
   * result (isError: failed) is stored for tasks/result. Returns at once, as tools/call with a task must.
   */
  async start (store: RequestTaskStore, requestedTtl: number | undefined, work: (signal: AbortSignal) => Promise<CallToolResult>, log: RpcLogger): Promise<CreateTaskResult & { done: Promise<void> }> {
    const task = await store.createTask({ ttl: Math.min(requestedTtl ?? HOUR_MS, MAX_TTL_MS), pollInterval: POLL_MS })
    const controller = new AbortController()
    this.#running.set(task.taskId, controller)
    const done = work(controller.signal)
      .then((result) => store.storeTaskResult(task.taskId, result.isError === true ? 'failed' : 'completed', result))
      // a cancelled task is terminal already: its late result has nowhere to go
      .catch((err: unknown) => { log.debug({ err, task: task.taskId }, 'task result not stored') })
      .finally(() => { this.#running.delete(task.taskId) })
    return { task, done }
  }

  /** The session ended: work under way stops, and no timers are left behind. */
  close (): void {
    for (const controller of this.#running.values()) controller.abort(new Error('session closed'))
    this.#running.clear()
    this.cleanup()
  }
}
