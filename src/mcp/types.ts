import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { PromptSection } from '../conversation/service.ts'
import type { RateLimiter } from '../limits/rate-limiter.ts'
import type { ResilientLlm } from '../llm/resilient.ts'
import type { PersonaService } from '../personas/service.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import type { RpcConnection, RpcLogger } from '../rpc/context.ts'
import type { MethodRegistry } from '../rpc/registry.ts'
import type { SessionService } from '../sessions/service.ts'
import type { InFlight } from '../transport/in-flight.ts'
import type { ConnectionStats } from './connection.ts'
import type { PersonaAvatar } from './icons.ts'
import type { McpTaskRepository } from './repository.ts'
import type { SessionSharing } from './sharing.ts'
import type { SubscriptionDeps } from './subscriptions.ts'

// What an MCP session is built from and what it is: server.ts puts sessions together from tools.ts,
// resources.ts, prompts.ts..., which read these types here, never server.ts (that would be a cycle).

export interface McpDeps {
  registry: MethodRegistry
  sessions: SessionService
  personas: PersonaService
  /** the system-prompt sections of a chat turn (memories, feelings, mood), for the role-play prompts */
  promptSections: () => readonly PromptSection[]
  log: RpcLogger
  /** tools, resources and prompts per list page */
  pageSize: number
  stats?: ConnectionStats
  /** tool calls are tracked here, so shutdown lets them finish */
  inFlight?: InFlight
  /** the rate limiter JSON-RPC requests meet: tools/call, resources/read and prompts/get take a token each (stdio is exempt) */
  limiter?: Pick<RateLimiter, 'admit'>
  /** the model going down and coming back (notifications/message to every session) */
  llmStateChanges?: ResilientLlm['onStateChange']
  /** topics of a persona's recent persona-to-persona conversations that this user may see (topic completions) */
  recentTopics?: (personaId: string, user: UserIdentity) => Promise<string[]>
  /** the newest persona-to-persona conversations the user may read, for completing conversation://{conversation_id} */
  recentConversations?: (user: UserIdentity) => Promise<string[]>
  /** a persona's card avatar as an icon, when it has one small enough to inline */
  avatarIcon?: (personaId: string) => Promise<PersonaAvatar | undefined>
  /** resource subscriptions: where changes come from (bus, chat turns), conversation://{id} reads, and their bounds */
  events?: SubscriptionDeps['events']
  conversations?: SubscriptionDeps['conversations']
  chatTurns?: SubscriptionDeps['chatTurns']
  subscriptionLimits?: SubscriptionDeps['limits']
  /** several instances: the tasks of MCP HTTP sessions are rows any of them answers from (absent: in each session's memory) */
  sharedTasks?: {
    records: McpTaskRepository
    /** tells the other instances a task was cancelled, so the one running it stops */
    announceCancel?: (taskId: string) => void
    /** how long the instance running a task holds it at once (renewed while it runs) */
    holdMs: number
  }
}

/** One MCP session: an SDK Server on one transport, with its own RpcConnection (session, persona, user). */
export interface McpSession {
  readonly server: Server
  readonly connection: RpcConnection
  readonly sharing: SessionSharing
  /** closes the transport; the session is released when it has closed */
  close (): Promise<void>
}
