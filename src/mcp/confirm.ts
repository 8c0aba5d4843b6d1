import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js'
import type { CallToolResult, ElicitRequest, ElicitResult, Tool } from '@modelcontextprotocol/sdk/types.js'
import type { MethodDefinition } from '../rpc/method.ts'
import type { RpcLogger } from '../rpc/context.ts'

/** the extra tool argument that stands in for a confirmation where the client cannot ask its user */
export const CONFIRM_ARG = 'confirm'
/** a person answers: far longer than a request's usual timeout */
const ASK_TIMEOUT_MS = 10 * 60_000

type Args = Readonly<Record<string, unknown>>
type SendRequest = (request: ElicitRequest, schema: typeof ElicitResultSchema, options: { timeout: number, signal: AbortSignal }) => Promise<ElicitResult>

/** Whether this call deletes something: a destructive declaration, narrowed by its `destructiveWhen`. */
export function needsConfirmation (def: MethodDefinition, args: Args): boolean {
  return def.destructive === true && (def.destructiveWhen?.(args) ?? true)
}

/** A destructive tool's MCP inputSchema with `confirm` beside its own params (the JSON-RPC method has none). */
export function withConfirmArg (schema: Tool['inputSchema']): Tool['inputSchema'] {
  return {
    ...schema,
    properties: {
      ...schema.properties,
      [CONFIRM_ARG]: {
        type: 'boolean',
        description: 'Clients that cannot ask their user (no elicitation) must pass true to run this; clients that can are asked instead.',
      },
    },
  }
}

/** The arguments the method itself takes. */
export function withoutConfirmArg (args: Args): Record<string, unknown> {
  const { [CONFIRM_ARG]: _confirm, ...rest } = args
  return rest
}

const refused = (text: string): CallToolResult => ({ isError: true, content: [{ type: 'text', text }] })

/**
 * Asks before a destructive call: through elicitation/create when the client declared form elicitation
 * (tied to the tool call, so it travels on that request's stream), else the call must carry confirm: true.
 * Returns undefined when the call may go ahead, or the result that says why it did not (nothing was done).
 */
export async function confirmCall (server: Server, def: MethodDefinition, tool: string, args: Args, call: { sendRequest: SendRequest, signal: AbortSignal }, log: RpcLogger): Promise<CallToolResult | undefined> {
  if (!needsConfirmation(def, args)) return undefined
  if (server.getClientCapabilities()?.elicitation?.form === undefined) {
    return args[CONFIRM_ARG] === true
      ? undefined
      : refused(`${tool} deletes data and was not run: pass "${CONFIRM_ARG}": true to confirm (this client cannot be asked: it declared no elicitation).`)
  }
  const shown = JSON.stringify(withoutConfirmArg(args))
  let answer: ElicitResult
  try {
    answer = await call.sendRequest({
      method: 'elicitation/create',
      params: {
        message: `Run ${tool}${shown === '{}' ? '' : ` ${shown}`}? ${def.description}`,
        requestedSchema: {
          type: 'object',
          properties: { [CONFIRM_ARG]: { type: 'boolean', title: `Yes, run ${tool}`, default: false } },
          required: [CONFIRM_ARG],
        },
      },
    }, ElicitResultSchema, { timeout: ASK_TIMEOUT_MS, signal: call.signal })
  } catch (err) {
    log.debug({ err, tool }, 'confirmation request failed')
    return refused(`${tool} was not run: the confirmation could not be asked (${(err as Error).message}).`)
  }
  if (answer.action === 'accept' && answer.content?.[CONFIRM_ARG] === true) return undefined
  const why = answer.action === 'accept' ? 'not confirmed' : answer.action === 'decline' ? 'declined by the user' : 'cancelled by the user'
  return refused(`${tool} was not run: ${why}.`)
}
