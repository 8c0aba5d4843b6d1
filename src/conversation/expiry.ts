import type { RpcLogger } from '../rpc/context.ts'
import type { SessionService } from '../sessions/service.ts'
import type { ConversationService } from './service.ts'

export interface SessionExpiryDeps {
  sessions: SessionService
  conversations: Pick<ConversationService, 'busy' | 'threads'>
  /** idle this long, a session and its transcripts go */
  timeoutHours: number
  log: RpcLogger
  now?: () => number
}

/** The scheduler's session-expiry job: idle sessions go, with their threads cached here. */
export function createSessionExpiry ({ sessions, conversations, timeoutHours, log, now = Date.now }: SessionExpiryDeps) {
  return async function expireIdleSessions (): Promise<void> {
    const cutoff = new Date(now() - timeoutHours * 3_600_000)
    const removed = await sessions.expire(cutoff, conversations.busy)
    conversations.threads.forgetSessions(new Set(removed.sessions))
    if (removed.sessions.length > 0) {
      log.info({ sessions: removed.sessions.length, conversations: removed.conversations, messages: removed.messages }, 'expired sessions removed')
    }
  }
}
