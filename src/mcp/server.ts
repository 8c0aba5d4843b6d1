import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { GetPromptRequestSchema, McpError, ReadResourceRequestSchema, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import type { RpcError } from '../rpc/errors.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import { SERVER_NAME, SERVER_VERSION } from '../version.ts'
import { registerCompletions } from './completions.ts'
import { openConnection, type McpTransportKind } from './connection.ts'
import { registerLogging, SetLevelRequest } from './logging.ts'
import { registerPrompts } from './prompts.ts'
import { registerResources } from './resources.ts'
import { createSubscriptions } from './subscriptions.ts'
import { createRecordTaskStore, keepTaskHolds } from './task-records.ts'
import { RunningTasks, SessionTaskStore, type SessionTasks } from './tasks.ts'
import { registerTools } from './tools.ts'
import type { SessionSharing } from './sharing.ts'
import type { McpDeps, McpSession } from './types.ts'

const INSTRUCTIONS = 'AI personas with character, state and memory. Call persona_list, pick one with persona_switch ' +
  '(this MCP session\'s current persona), then talk with persona_chat. persona://{id} resources hold each persona\'s ' +
  'profile and state; the roleplay_* prompts let you play a persona yourself.'

/**
 * Builds a low-level SDK `Server` per MCP session, so that tool schemas are our TypeBox declarations
 * as they are (McpServer would want a second copy of each in zod).
 */
export function createMcpService (deps: McpDeps) {
  const subscriptions = createSubscriptions({ ...deps, limits: deps.subscriptionLimits ?? { maxPerSession: 100, coalesceMs: 300 } })
  // the recorded tasks running here: their holds renewed, a cancel served elsewhere aborts them
  const recorded = new RunningTasks()
  const stopHolding = deps.sharedTasks ? keepTaskHolds({ ...deps.sharedTasks, running: recorded, log: deps.log }) : undefined
  const open = (user: UserIdentity, kind: McpTransportKind): McpSession => {
    const { connection, release } = openConnection(user, deps.sessions, deps.stats, kind)
    // an HTTP session may have copies on several instances: its tasks are rows any of them answers from
    const tasks: SessionTasks = kind === 'http' && deps.sharedTasks
      ? createRecordTaskStore({ ...deps.sharedTasks, running: recorded })
      : new SessionTaskStore()
    const server = new Server({ name: 'persona-mcp', title: SERVER_NAME, version: SERVER_VERSION }, {
      capabilities: {
        tools: {},
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        completions: {},
        logging: {},
        // 2025-11-25 tasks: conversation_run may run as one (its tool says execution.taskSupport: optional)
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      instructions: INSTRUCTIONS,
      taskStore: tasks,
    })
    const sharing: SessionSharing = {
      async apply (shared) {
        log.adopt(shared.logLevel)
        await subscribed.replace(shared.subscriptions)
      },
    }
    // before any handler is registered: the limited ones are wrapped as they are
    const limiter = kind === 'stdio' ? undefined : deps.limiter
    if (limiter) limitRequests(server, () => limiter.admit(connection, 1))
    const log = registerLogging(server, deps, connection.id, sharing)
    const subscribed = subscriptions.attach(server, connection, sharing)
    const ended = () => { subscribed.end(); log.close(); tasks.close(); release() }
    server.onclose = ended
    server.onerror = (err) => { deps.log.debug({ err, connection: connection.id }, 'MCP transport error') }
    registerTools(server, { ...deps, limiter }, connection, { log, tasks })
    registerResources(server, deps, connection)
    registerPrompts(server, deps, connection)
    registerCompletions(server, deps, connection)
    deps.log.debug({ connection: connection.id, user: user.id, transport: kind }, 'MCP session opened')
    return {
      server,
      connection,
      sharing,
      async close () {
        await server.close()
        ended()
      },
    }
  }

  return {
    open,
    /** stops renewing the holds on tasks (shutdown: the sessions end, and their tasks with them) */
    close (): void { stopHolding?.() },
    /** tasks another instance cancelled: those running here stop */
    cancelled (taskIds: string[]): void { for (const taskId of taskIds) recorded.abort(taskId, 'task cancelled') },
    /** A new session on a transport that is ready to start (WebSocket, stdio). */
    async connect (transport: Transport, user: UserIdentity, kind: McpTransportKind): Promise<McpSession> {
      const session = open(user, kind)
      await session.server.connect(transport)
      return session
    },
  }
}

export type McpService = ReturnType<typeof createMcpService>

/**
 * the requests that take a token besides tools/call (tools.ts refuses those as isError results): reads, and
 * the subscription and log-level changes, which write the session's record
 */
const LIMITED: ReadonlySet<unknown> = new Set([ReadResourceRequestSchema, GetPromptRequestSchema, SubscribeRequestSchema, UnsubscribeRequestSchema, SetLevelRequest])

/**
 * Makes the LIMITED requests, as resources.ts, prompts.ts, subscriptions.ts and logging.ts register them, pass
 * the rate limiter first; a refusal is the JSON-RPC error the other faces send (-32007 with retry_after), as
 * their own errors are.
 */
function limitRequests (server: Server, admit: () => RpcError | undefined): void {
  const register = server.setRequestHandler.bind(server)
  const setRequestHandler: Server['setRequestHandler'] = (schema, handler) => {
    register(schema, LIMITED.has(schema)
      ? (request, extra) => {
          const refused = admit()
          if (refused) throw new McpError(refused.code, refused.message, refused.data)
          return handler(request, extra)
        }
      : handler)
  }
  server.setRequestHandler = setRequestHandler
}
