import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js'
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js'
import type { TObject } from '@sinclair/typebox'
import type { RpcConnection } from '../rpc/context.ts'
import { RpcError } from '../rpc/errors.ts'
import type { MethodDefinition } from '../rpc/method.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import { forCall } from './connection.ts'
import { confirmCall, withConfirmArg, withoutConfirmArg } from './confirm.ts'
import type { Notify, SessionLog } from './logging.ts'
import { TASK_TOOLS, type SessionTasks } from './tasks.ts'
import { isObjectSchema, page, toInputSchema, toOutputSchema } from './wire.ts'
import type { McpDeps } from './types.ts'

/** Their notifications arrive long after the call, outside any request: MCP has no place for them. */
const NOT_TOOLS = new Set(['events.subscribe', 'events.unsubscribe'])

/** With a progressToken these run through their streaming twin, so tokens reach the client as progress. */
const STREAMING_TWIN: Readonly<Record<string, string>> = { 'persona.chat': 'persona.chat_stream' }

/** MCP tool names cannot contain '.': `persona.chat` is the tool `persona_chat`. */
export const toolName = (method: string): string => method.replaceAll('.', '_')

/**
 * Admin-scope methods are listed for admin users only; anyone else calling one gets an isError result.
 * Sorted by name: pages stay stable whatever order the plugins registered their methods in.
 */
export function listedMethods (deps: McpDeps, user: UserIdentity): MethodDefinition[] {
  return deps.registry.list()
    .filter((def) => !NOT_TOOLS.has(def.name) && (def.scope !== 'admin' || user.scope === 'admin'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export function toTool (def: MethodDefinition): Tool {
  const outputSchema = toOutputSchema(def.result)
  return {
    name: toolName(def.name),
    description: def.description,
    inputSchema: def.destructive === true ? withConfirmArg(toInputSchema(def.params)) : toInputSchema(def.params),
    ...(outputSchema && { outputSchema }),
    annotations: {
      title: def.name,
      readOnlyHint: def.readOnly === true,
      destructiveHint: def.destructive === true,
      // what changes nothing is trivially idempotent
      idempotentHint: def.readOnly === true || def.idempotent === true,
      // personas, memories and sessions of this server only (the model is a local one, not the web)
      openWorldHint: false,
    },
    ...(TASK_TOOLS.has(def.name) && { execution: { taskSupport: 'optional' as const } }),
  }
}

/** What an MCP session adds to its tool calls: its log (notifications/message) and its tasks. */
export interface ToolSession {
  log: SessionLog
  tasks: SessionTasks
}

export function registerTools (server: Server, deps: McpDeps, base: RpcConnection, session: ToolSession): void {
  const { registry, log } = deps
  server.setRequestHandler(ListToolsRequestSchema, (request) => {
    const { items, nextCursor } = page(listedMethods(deps, base.user).map(toTool), request.params?.cursor, deps.pageSize)
    return { tools: items, ...(nextCursor && { nextCursor }) }
  })

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args } = request.params
    const def = registry.list().find((d) => !NOT_TOOLS.has(d.name) && toolName(d.name) === name)
    if (!def) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`)
    // the spec's answer to a task-augmented call of a tool that does not declare task support
    const asTask = request.params.task !== undefined && extra.taskStore !== undefined
    if (asTask && !TASK_TOOLS.has(def.name)) throw new McpError(ErrorCode.MethodNotFound, `${name} cannot run as a task`)
    if (deps.stats) deps.stats.requests++
    // the limiter of the JSON-RPC face: a refusal is a tool error the model can read (-32007, retry_after)
    const limited = deps.limiter?.admit(base, 1)
    if (limited) {
      session.log.toolFailed(name, limited, extra.sendNotification)
      return failure(limited, def, log, base.id)
    }
    const refused = await confirmCall(server, def, name, args ?? {}, extra, log)
    if (refused) return refused
    const params = def.destructive === true && args !== undefined ? withoutConfirmArg(args) : args
    const progressToken = request.params._meta?.progressToken
    const twin = progressToken === undefined ? undefined : registry.get(STREAMING_TWIN[def.name] ?? '')
    const run = async (signal: AbortSignal, sendNotification: Notify): Promise<CallToolResult> => {
      const connection = forCall(base, { signal, progressToken, sendNotification }, log)
      try {
        const result = await registry.call((twin ?? def).name, params, { connection, requestId: extra.requestId, log })
        return success(def, twin ? own(def.result as TObject, result) : result)
      } catch (err) {
        session.log.toolFailed(name, err, sendNotification)
        return failure(err, def, log, connection.id)
      } finally {
        await deps.sessions.touch(connection.session)?.catch((err: unknown) => { log.warn({ err, connection: base.id }, 'session touch failed') })
      }
    }
    if (asTask && extra.taskStore) {
      // the call returns at once; its request is over, so progress goes out on the session's own channel
      const { task, done } = await session.tasks.start(extra.taskStore, extra.taskRequestedTtl, (signal) => run(signal, (n) => server.notification(n)), log)
      void deps.inFlight?.track(done)
      return { task }
    }
    const work = run(extra.signal, extra.sendNotification)
    return deps.inFlight ? deps.inFlight.track(work) : work
  })
}

/** JSON text for every client, structuredContent (checked by SDK clients against outputSchema) where declared. */
function success (def: MethodDefinition, result: unknown): CallToolResult {
  const text = JSON.stringify(result ?? null, null, 2)
  const structured = isObjectSchema(def.result) && typeof result === 'object' && result !== null && !Array.isArray(result)
  return { content: [{ type: 'text', text }], ...(structured && { structuredContent: JSON.parse(text) as Record<string, unknown> }) }
}

/** Tool errors are results the model can read and act on, not protocol errors (MCP "error handling"). */
function failure (err: unknown, def: MethodDefinition, log: McpDeps['log'], connection: string): CallToolResult {
  if (!(err instanceof RpcError)) {
    log.error({ err, method: def.name, connection }, 'internal error in MCP tool')
    return { isError: true, content: [{ type: 'text', text: `${toolName(def.name)} failed: internal error` }] }
  }
  const details = err.data === undefined ? '' : `\n${JSON.stringify({ code: err.code, ...err.data })}`
  return { isError: true, content: [{ type: 'text', text: `${err.message}${details}` }] }
}

/** A twin's result cut down to the fields the tool itself declares (chat_stream adds stream_id, chunk_count). */
function own (schema: TObject, result: unknown): unknown {
  if (typeof result !== 'object' || result === null) return result
  const keys = Object.keys(schema.properties ?? {})
  return Object.fromEntries(Object.entries(result).filter(([key]) => keys.includes(key)))
}
