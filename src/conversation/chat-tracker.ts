import { domainError, ErrorCode, type RpcError } from '../rpc/errors.ts'

/** One chat under way: its own signal (the caller's, or a stop from here) and the error it ends with if stopped. */
export interface RunningChat {
  readonly personaId: string
  readonly sessionId: string
  readonly signal: AbortSignal
  /** set when the chat was stopped from here (its persona is being deleted) */
  stoppedWith?: RpcError
  /** throws the chat's cancellation once its signal has aborted */
  check (): void
}

/**
 * Chats under way by persona and session, so that deleting a persona can stop its chats and wait
 * for them (a turn written after the delete would point at rows that no longer exist), and session
 * expiry can leave sessions with a chat under way alone.
 */
export function createChatTracker () {
  const running = new Map<RunningChat, Promise<void>>()
  const ends = new Map<RunningChat, () => void>()
  const controllers = new Map<RunningChat, AbortController>()
  // personas being deleted: new chats wait for the delete to end, then find the persona gone
  const gates = new Map<string, Promise<void>>()

  return {
    /** resolves once no delete of this persona is under way */
    async admit (personaId: string): Promise<void> {
      for (let gate = gates.get(personaId); gate; gate = gates.get(personaId)) await gate
    },

    begin (personaId: string, sessionId: string, outer?: AbortSignal): RunningChat {
      const controller = new AbortController()
      const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal
      const chat: RunningChat = {
        personaId,
        sessionId,
        signal,
        check () {
          if (!signal.aborted) return
          throw chat.stoppedWith ?? domainError(ErrorCode.Cancelled, 'Generation cancelled', { partial_response: '' })
        },
      }
      running.set(chat, new Promise((resolve) => ends.set(chat, resolve)))
      controllers.set(chat, controller)
      return chat
    },

    end (chat: RunningChat): void {
      ends.get(chat)?.()
      running.delete(chat)
      ends.delete(chat)
      controllers.delete(chat)
    },

    /** whether a chat is under way in this session */
    busy (sessionId: string): boolean {
      for (const chat of running.keys()) if (chat.sessionId === sessionId) return true
      return false
    },

    /**
     * Stops the persona's chats with `reason`, waits until they have ended and holds new ones back
     * until the returned release is called (after the delete, whether it worked or not).
     */
    async stopPersona (personaId: string, reason: RpcError): Promise<() => void> {
      let release!: () => void
      const gate = new Promise<void>((resolve) => { release = resolve })
      const previous = gates.get(personaId)
      gates.set(personaId, gate)
      if (previous) await previous
      const stopping: Array<Promise<void>> = []
      for (const [chat, ended] of running) {
        if (chat.personaId !== personaId) continue
        chat.stoppedWith = reason
        controllers.get(chat)?.abort(reason)
        stopping.push(ended)
      }
      await Promise.all(stopping)
      return () => {
        if (gates.get(personaId) === gate) gates.delete(personaId)
        release()
      }
    },
  }
}

export type ChatTracker = ReturnType<typeof createChatTracker>
