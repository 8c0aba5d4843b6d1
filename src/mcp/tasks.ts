import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks'
import type { TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks'
import type { RequestTaskStore } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type { CallToolResult, CreateTaskResult, Task } from '@modelcontextprotocol/sdk/types.js'
import type { RpcLogger } from '../rpc/context.ts'

/** Methods whose MCP tools may run as a task (2025-11-25 tasks utility): long persona-to-persona runs. */
export const TASK_TOOLS: ReadonlySet<string> = new Set(['conversation.run'])
export const POLL_MS = 500
const HOUR_MS = 3_600_000
/** a finished task's result is kept this long unless the client asked for less */
const MAX_TTL_MS = 24 * HOUR_MS

/** The work of the tasks under way on this instance, by task id: a cancel (here, or announced by another instance) aborts it. */
export class RunningTasks {
  readonly #running = new Map<string, AbortController>()

  add (taskId: string): AbortSignal {
    const controller = new AbortController()
    this.#running.set(taskId, controller)
    return controller.signal
  }

  delete (taskId: string): void { this.#running.delete(taskId) }

  /** the tasks whose work goes on here */
  ids (): string[] { return [...this.#running.keys()] }

  /** stops the task's work if it runs here; true if it did */
  abort (taskId: string, reason: string): boolean {
    const controller = this.#running.get(taskId)
    controller?.abort(new Error(reason))
    return controller !== undefined
  }
}

/** What the tools of a session need of its tasks, whichever store holds them. */
export interface SessionTasks extends TaskStore {
  /**
   * Creates the task and runs `work` in the background with a signal that tasks/cancel aborts; the
   * result (isError: failed) is stored for tasks/result. Returns at once, as tools/call with a task must.
   */
  start (store: RequestTaskStore, requestedTtl: number | undefined, work: (signal: AbortSignal) => Promise<CallToolResult>, log: RpcLogger): Promise<CreateTaskResult & { done: Promise<void> }>
  /** The session ended here: its work under way stops, and no timers are left behind. */
  close (): void
}

/** Runs tasks for one session copy: what it started is tracked in `running` and stopped when it closes. */
export function taskRunner (running: RunningTasks): Pick<SessionTasks, 'start'> & { stopAll (): void } {
  const mine = new Set<string>()
  return {
    async start (store, requestedTtl, work, log) {
      const task = await store.createTask({ ttl: Math.min(requestedTtl ?? HOUR_MS, MAX_TTL_MS), pollInterval: POLL_MS })
      const signal = running.add(task.taskId)
      mine.add(task.taskId)
      const done = work(signal)
        .then((result) => store.storeTaskResult(task.taskId, result.isError === true ? 'failed' : 'completed', result))
        // a cancelled task is terminal already: its late result has nowhere to go
        .catch((err: unknown) => { log.debug({ err, task: task.taskId }, 'task result not stored') })
        .finally(() => { running.delete(task.taskId); mine.delete(task.taskId) })
      return { task, done }
    },
    stopAll (): void {
      for (const taskId of mine) running.abort(taskId, 'session closed')
      mine.clear()
    },
  }
}

/**
 * One MCP session's tasks in memory (WebSocket and stdio: the session lives on one instance only): the
 * SDK's store (tasks/get, tasks/result, tasks/list and tasks/cancel are the SDK's handlers over it), plus
 * what it lacks: tasks/cancel reaching the work under way. One store per session, so sessions without a
 * transport session id see only their own.
 */
export class SessionTaskStore extends InMemoryTaskStore implements SessionTasks {
  readonly #runner: ReturnType<typeof taskRunner>
  readonly #running: RunningTasks

  constructor (running = new RunningTasks()) {
    super()
    this.#running = running
    this.#runner = taskRunner(running)
  }

  override async updateTaskStatus (taskId: string, status: Task['status'], statusMessage?: string, sessionId?: string): Promise<void> {
    await super.updateTaskStatus(taskId, status, statusMessage, sessionId)
    if (status === 'cancelled') this.#running.abort(taskId, 'task cancelled')
  }

  start: SessionTasks['start'] = async (...args) => await this.#runner.start(...args)

  close (): void {
    this.#runner.stopAll()
    this.cleanup()
  }
}
