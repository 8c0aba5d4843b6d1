import type { RpcLogger } from '../rpc/context.ts'
import type { McpSessionRepository } from './repository.ts'
import type { SessionSharing, SharedChange } from './sharing.ts'

// An MCP HTTP session's resource subscriptions and log level are one record for all its copies. The
// client's GET stream stays on the instance it opened on while its POSTs land anywhere, and only the copy
// holding the stream can send it what it subscribed to; so each copy writes its client's changes to the
// record before answering, announces the session to the other instances (the invalidation channel), and
// every copy there reads the record again. A copy rebuilt from the record starts with what it says. On
// SQLite there are no others: the record is what a restarted server's copy starts from.

export interface SharedSessionsDeps {
  store: McpSessionRepository
  /** tells the other instances the session's record changed; undefined when there are none */
  announce?: (id: string) => void
  log: RpcLogger
}

export function createSharedSessions ({ store, announce, log }: SharedSessionsDeps) {
  const write = async (id: string, change: SharedChange): Promise<boolean> => {
    // refused: over the cap, or the session has no record (it could not be saved: it works on this instance
    // alone, as an unrecorded session does) and then its subscriptions are this copy's alone
    if ('subscribe' in change) return await store.subscribe(id, change.subscribe, change.max) || (await store.find(id)) === null
    if ('unsubscribe' in change) await store.unsubscribe(id, change.unsubscribe)
    else await store.setLogLevel(id, change.logLevel)
    return true
  }

  return {
    /** This copy's changes go to the record (none come before the session has an id: it is not initialised). */
    watch (id: () => string | undefined, sharing: SessionSharing): void {
      sharing.write = async (change) => {
        const mcpId = id()
        if (mcpId === undefined) return true
        const kept = await write(mcpId, change)
        if (kept) announce?.(mcpId)
        return kept
      }
    },

    /** The copies held here of sessions whose record changed elsewhere serve what it says now. */
    async reread (ids: Iterable<string>, held: (id: string) => SessionSharing | undefined): Promise<void> {
      for (const id of ids) {
        const sharing = held(id)
        if (sharing === undefined) continue
        try {
          const record = await store.find(id)
          if (record !== null) await sharing.apply(record)
        } catch (err) {
          log.warn({ err }, 'MCP HTTP session\'s subscriptions not re-read: this copy keeps what it had')
        }
      }
    },
  }
}

export type SharedSessions = ReturnType<typeof createSharedSessions>
