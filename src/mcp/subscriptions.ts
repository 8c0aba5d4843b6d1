import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { ErrorCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import type { EventBus } from '../events/bus.ts'
import type { PersonaService } from '../personas/service.ts'
import type { RpcConnection, RpcLogger } from '../rpc/context.ts'
import { conversationIdOf, findConversation, RESOURCE_NOT_FOUND, type ConversationReader } from './conversation-resource.ts'
import type { SessionSharing } from './sharing.ts'

export interface SubscriptionDeps {
  personas: Pick<PersonaService, 'find' | 'onCreated' | 'onRemoved'>
  /** persona state and mood (`persona.<id>`), conversation turns (`conversation.<id>`), with their audiences */
  events?: Pick<EventBus, 'subscribe' | 'unsubscribe'>
  conversations?: ConversationReader
  /** a user chat turn was stored in a session's thread with a persona */
  chatTurns?: (listener: (turn: { sessionId: string, personaId: string }) => void) => void
  log: RpcLogger
  limits: { maxPerSession: number, coalesceMs: number }
}

/** What a subscribed URI listens to: a bus topic, this session's thread with a persona, or nothing (static). */
interface Source { topic?: string, transcriptOf?: string }

interface Watcher {
  connectionSessionId (): string
  topic (topic: string): void
  transcript (personaId: string): void
  listChanged (): void
}

const decode = (s: string) => { try { return decodeURIComponent(s) } catch { return undefined } }

/**
 * resources/subscribe and unsubscribe for every MCP session, and the notifications they earn: one
 * `resources/updated` per URI per coalescing window (trailing), and `list_changed` when personas come and go.
 * What a session hears goes through the bus's audience rules as its own user, so a conversation of
 * someone else's never reaches it; subscriptions end with the session.
 */
export function createSubscriptions (deps: SubscriptionDeps) {
  const watchers = new Set<Watcher>()
  const everyone = (tell: (w: Watcher) => void) => { for (const w of watchers) tell(w) }
  // personas are visible to every user (their events are public), so everyone hears of new and deleted ones
  deps.personas.onCreated(() => everyone((w) => w.listChanged()))
  deps.personas.onRemoved(() => everyone((w) => w.listChanged()))
  deps.chatTurns?.(({ sessionId, personaId }) => everyone((w) => { if (w.connectionSessionId() === sessionId) w.transcript(personaId) }))

  /** What a URI would change with, or the spec's -32002 for one that names nothing this user may read. */
  async function resolve (uri: string, connection: RpcConnection): Promise<Source> {
    const notFound = () => new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri })
    const persona = /^persona:\/\/([^/]+)(?:\/memory-stats)?$/.exec(uri) ?? /^session:\/\/current\/transcript\/([^/]+)$/.exec(uri)
    if (persona?.[1] !== undefined) {
      const id = decode(persona[1])
      const found = id === undefined ? undefined : deps.personas.find(id)
      if (!found) throw notFound()
      return uri.startsWith('session:') ? { transcriptOf: found.id } : { topic: `persona.${found.id}` }
    }
    const conversation = conversationIdOf(uri)
    if (conversation !== undefined) {
      const c = await findConversation(deps.conversations, uri, conversation, connection.user)
      return { topic: `conversation.${c.id}` }
    }
    if (uri === 'session://current' || uri === 'memory://stats') return {}
    throw notFound()
  }

  return {
    /**
     * Serves subscribe/unsubscribe on one session's server, writing each through `sharing` when copies
     * elsewhere must know; `replace` takes the subscriptions another copy left (each checked again as this
     * user), `end` ends them all.
     */
    attach (server: Server, connection: RpcConnection, sharing: Pick<SessionSharing, 'write'>): { end (): void, replace (uris: string[]): Promise<void> } {
      const { maxPerSession, coalesceMs } = deps.limits
      const subscribed = new Map<string, Source>()
      const timers = new Map<string, NodeJS.Timeout>()
      const busId = `mcp-resources:${connection.id}`
      const failed = (err: unknown) => { deps.log.debug({ err, connection: connection.id }, 'MCP resource notification not sent') }

      /** trailing: the first change opens the window, the ones within it ride along */
      const later = (key: string, send: () => Promise<void>) => {
        if (timers.has(key)) return
        const timer = setTimeout(() => { timers.delete(key); send().catch(failed) }, coalesceMs)
        timer.unref()
        timers.set(key, timer)
      }
      const updated = (uri: string) => later(uri, () => (subscribed.has(uri) ? server.sendResourceUpdated({ uri }) : Promise.resolve()))
      const watcher: Watcher = {
        connectionSessionId: () => connection.session.id,
        topic: (topic) => { for (const [uri, source] of subscribed) if (source.topic === topic) updated(uri) },
        transcript: (personaId) => { for (const [uri, source] of subscribed) if (source.transcriptOf === personaId) updated(uri) },
        // the roleplay_* prompts are the personas too
        listChanged: () => later('', async () => { await server.sendResourceListChanged(); await server.sendPromptListChanged() }),
      }
      watchers.add(watcher)
      const bus = deps.events
      const listener = {
        id: busId,
        user: connection.user,
        // the bus serialised the event for JSON-RPC clients; here only its topic matters
        send: (text: string) => { watcher.topic((JSON.parse(text) as { params: { topic: string } }).params.topic); return true },
      }

      const add = (uri: string, source: Source) => {
        subscribed.set(uri, source)
        if (source.topic && bus) bus.subscribe(listener, [source.topic])
      }
      const remove = (uri: string) => {
        const topic = subscribed.get(uri)?.topic
        subscribed.delete(uri)
        if (topic && bus && ![...subscribed.values()].some((s) => s.topic === topic)) bus.unsubscribe(busId, [topic])
      }
      const tooMany = (uri: string) => new McpError(ErrorCode.InvalidParams,
        `At most ${maxPerSession} resource subscriptions per session (mcp.maxSubscriptionsPerSession)`, { uri, reason: 'too_many_subscriptions' })

      server.setRequestHandler(SubscribeRequestSchema, async (request) => {
        const { uri } = request.params
        if (!subscribed.has(uri) && subscribed.size >= maxPerSession) throw tooMany(uri)
        const source = await resolve(uri, connection)
        if (sharing.write && !(await sharing.write({ subscribe: uri, max: maxPerSession }))) throw tooMany(uri)
        add(uri, source)
        return {}
      })
      server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
        remove(request.params.uri)
        await sharing.write?.({ unsubscribe: request.params.uri })
        return {}
      })

      return {
        async replace (uris) {
          const wanted = new Set(uris)
          for (const uri of [...subscribed.keys()]) if (!wanted.has(uri)) remove(uri)
          for (const uri of wanted) {
            if (subscribed.has(uri) || subscribed.size >= maxPerSession) continue
            // what this user could subscribe to then and can still see now (a deleted persona drops out)
            const source = await resolve(uri, connection).catch(() => undefined)
            if (source) add(uri, source)
          }
        },
        end () {
          watchers.delete(watcher)
          for (const timer of timers.values()) clearTimeout(timer)
          timers.clear()
          subscribed.clear()
          bus?.unsubscribe(busId)
        },
      }
    },
  }
}

export type Subscriptions = ReturnType<typeof createSubscriptions>
