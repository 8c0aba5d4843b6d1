import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { RpcConnection, RpcLogger } from '../rpc/context.ts'
import { ErrorCode, RpcError } from '../rpc/errors.ts'
import type { ThreadStore } from '../conversation/threads.ts'
import type { SessionService } from '../sessions/service.ts'
import { adoptSession, onSessionReplaced } from './connection.ts'
import type { McpSessionFollow, McpSessionRepository } from './repository.ts'

// The persona session (current persona, threads) of an MCP HTTP session is one Session row, whichever
// instance serves a request: the McpSession row names it, every copy serves it, and a copy learns of a
// persona switch or a session.resume made elsewhere from the touch each request does on PostgreSQL.

/** What one copy knows of its record: what it last read there, and its own write of a replacement under way. */
export interface PersonaFollow {
  seen?: McpSessionFollow
  recording?: Promise<void>
}

/**
 * A session.resume's result goes out once the record names the new persona session: the client's next
 * request may land on another instance, which must find it there.
 */
export function repliesAfterRecording (transport: StreamableHTTPServerTransport, follow: PersonaFollow): void {
  const send = transport.send.bind(transport)
  transport.send = async (message, options) => {
    if (follow.recording) await follow.recording
    await send(message, options)
  }
}

export interface PersonaSessionsDeps {
  store: McpSessionRepository
  sessions: Pick<SessionService, 'resume' | 'persist'>
  /** other instances build copies: the persona session is stored at once, so that theirs can resume it */
  shared: boolean
  /** the threads this instance keeps in memory: one another instance wrote a turn to is re-read */
  threads?: Pick<ThreadStore, 'cached' | 'forgetSessions'>
  log: RpcLogger
}

export function createPersonaSessions ({ store, sessions, shared, threads, log }: PersonaSessionsDeps) {
  const warn = (err: unknown, msg: string) => { log.warn({ err }, msg) }
  const record = (id: string, follow: PersonaFollow, personaSessionId: string) => {
    follow.seen = { personaSessionId, currentPersonaId: follow.seen?.currentPersonaId, turnCount: follow.seen?.turnCount }
    follow.recording = store.setPersonaSession(id, personaSessionId)
      .catch((err: unknown) => { warn(err, 'MCP HTTP session\'s persona session not recorded: other instances keep the one before') })
  }

  /** Takes the persona session the record names; one that has no row (it never held state, or expired) leaves the copy its own, recorded instead. */
  const take = async (id: string, connection: RpcConnection, follow: PersonaFollow, personaSessionId: string) => {
    try {
      await adoptSession(connection, sessions, personaSessionId)
    } catch (err) {
      if (!(err instanceof RpcError && err.code === ErrorCode.SessionNotFound)) { warn(err, 'MCP HTTP session\'s persona session not resumed here'); return }
      if (shared) await sessions.persist(connection.session).catch((e: unknown) => { warn(e, 'persona session not stored') })
      record(id, follow, connection.session.id)
    }
  }

  return {
    /** At initialize: the persona session to record (stored first when shared). */
    async initial (connection: RpcConnection): Promise<string> {
      if (shared) await sessions.persist(connection.session).catch((err: unknown) => { warn(err, 'persona session not stored: other instances open their own') })
      return connection.session.id
    },

    /** A session.resume on this copy is recorded; `id()` is the MCP session's id once initialised. */
    watch (id: () => string | undefined, connection: RpcConnection, follow: PersonaFollow): void {
      onSessionReplaced(connection, (next) => {
        const mcpId = id()
        if (mcpId !== undefined) record(mcpId, follow, next.id)
      })
    },

    /** A copy rebuilt here serves the persona session its record names. */
    async rebuilt (id: string, connection: RpcConnection, follow: PersonaFollow, personaSessionId: string | null): Promise<void> {
      if (personaSessionId !== null) await take(id, connection, follow, personaSessionId)
      else record(id, follow, connection.session.id)
    },

    /**
     * At the start of a request, what the record says now: what changed there since this copy last read it
     * (not what this copy changed itself meanwhile) is taken over.
     */
    async follow (id: string, connection: RpcConnection, follow: PersonaFollow, now: McpSessionFollow): Promise<void> {
      const before = follow.seen
      follow.seen = now
      if (now.personaSessionId !== null && now.personaSessionId !== before?.personaSessionId && now.personaSessionId !== connection.session.id) {
        await take(id, connection, follow, now.personaSessionId)
      }
      const session = connection.session
      if (now.personaSessionId !== session.id) return
      if (now.currentPersonaId !== undefined && now.currentPersonaId !== before?.currentPersonaId) session.personaId = now.currentPersonaId
      // this copy's own turns keep its cached thread level with the row: one behind it was written elsewhere
      const cached = session.personaId === null ? undefined : threads?.cached(session.id, session.personaId)
      if (cached && session.personaId === now.currentPersonaId && cached.turnCount !== now.turnCount) threads?.forgetSessions(new Set([session.id]))
    },
  }
}

export type PersonaSessions = ReturnType<typeof createPersonaSessions>
