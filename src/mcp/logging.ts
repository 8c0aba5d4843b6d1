import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { ErrorCode as McpErrorCode, McpError, RequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import type { LoggingLevel, ServerNotification } from '@modelcontextprotocol/sdk/types.js'
import type { LlmStateChange } from '../llm/resilient.ts'
import { ErrorCode, RpcError } from '../rpc/errors.ts'
import type { McpDeps } from './types.ts'
import type { SessionSharing } from './sharing.ts'

/** RFC 5424 severities as MCP orders them, least severe first */
const LEVELS: readonly LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']
/**
 * Before logging/setLevel, a session hears what is significant (the spec leaves the default to the server):
 * the model going down is a warning, its recovery a notice; nothing is sent below that unless asked for.
 */
export const DEFAULT_LEVEL: LoggingLevel = 'notice'
const LOGGER = 'persona-mcp'

/** logging/setLevel with any level string: the SDK's own schema turns an unknown level into -32603, not -32602 */
export const SetLevelRequest = RequestSchema.extend({
  method: z.literal('logging/setLevel'),
  params: z.looseObject({ level: z.unknown() }),
})
const isLevel = (value: unknown): value is LoggingLevel => LEVELS.includes(value as LoggingLevel)

export type Notify = (notification: ServerNotification) => Promise<void>

export interface SessionLog {
  readonly level: LoggingLevel
  /** a notifications/message if `level` is at or above the session's; `notify` ties it to a request */
  send (level: LoggingLevel, data: Record<string, unknown>, notify?: Notify): void
  /** what a failed tool call of this session means for the user: a rate limit, a cut-off reply */
  toolFailed (tool: string, err: unknown, notify?: Notify): void
  /** takes the level another copy of the session was given (null: never set; an unknown one is ignored) */
  adopt (level: string | null): void
  close (): void
}

/**
 * logging/setLevel and notifications/message for one MCP session (one SDK Server): its own level, and
 * messages about what concerns it. The SDK's own handler keys levels by transport session id, which
 * WebSocket and stdio do not have; one Server per session makes a plain variable enough.
 */
export function registerLogging (server: Server, deps: Pick<McpDeps, 'log' | 'llmStateChanges'>, connectionId: string, sharing: Pick<SessionSharing, 'write'>): SessionLog {
  let current: LoggingLevel = DEFAULT_LEVEL
  server.setRequestHandler(SetLevelRequest, async (request) => {
    const { level } = request.params
    if (!isLevel(level)) throw new McpError(McpErrorCode.InvalidParams, `Invalid level: ${JSON.stringify(level)}; one of ${LEVELS.join(', ')}`)
    current = level
    await sharing.write?.({ logLevel: level })
    return {}
  })

  const send: SessionLog['send'] = (level, data, notify) => {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(current)) return
    const message: ServerNotification = { method: 'notifications/message', params: { level, logger: LOGGER, data } }
    const sent = notify ? notify(message) : server.notification(message)
    sent.catch((err: unknown) => { deps.log.debug({ err, connection: connectionId }, 'MCP log message not delivered') })
  }

  const onLlm = (change: LlmStateChange) => {
    if (change.available) send('notice', { event: 'llm_recovered', message: `The model ${change.model} answers again`, model: change.model, down_ms: change.downMs })
    else send('warning', { event: 'llm_fallback', message: `The model ${change.model} is unavailable: personas answer with fallback replies until it is back`, model: change.model, reason: change.reason })
  }
  const unwatch = deps.llmStateChanges?.(onLlm)

  return {
    get level () { return current },
    send,
    toolFailed (tool, err, notify) {
      if (!(err instanceof RpcError)) return
      if (err.code === ErrorCode.RateLimited) {
        send('warning', { event: 'rate_limited', message: `${tool} was refused: too many requests`, tool, retry_after: err.data?.retry_after }, notify)
      } else if (err.code === ErrorCode.LlmUnavailable) {
        send('error', { event: 'stream_cut', message: `The reply of ${tool} was cut off: ${err.message}`, tool }, notify)
      }
    },
    adopt (level) {
      if (level === null) current = DEFAULT_LEVEL
      else if (isLevel(level)) current = level
    },
    close () { unwatch?.() },
  }
}
