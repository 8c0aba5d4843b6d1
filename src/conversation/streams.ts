import { randomUUID } from 'node:crypto'

/** Chat streams under way, so that persona.chat_cancel can stop one, and only its own connection's. */
export function createStreamRegistry () {
  const streams = new Map<string, { connectionId: string, controller: AbortController }>()
  return {
    /** A new stream whose signal aborts on cancel or when `parent` (the connection) aborts. */
    open (connectionId: string, parent: AbortSignal) {
      const id = randomUUID()
      const controller = new AbortController()
      const onParentAbort = () => controller.abort(parent.reason)
      parent.addEventListener('abort', onParentAbort, { once: true })
      streams.set(id, { connectionId, controller })
      return {
        id,
        signal: controller.signal,
        close: () => {
          parent.removeEventListener('abort', onParentAbort)
          streams.delete(id)
        },
      }
    },
    /** true when the stream existed on this connection and is now being stopped */
    cancel (connectionId: string, streamId: string): boolean {
      const stream = streams.get(streamId)
      if (!stream || stream.connectionId !== connectionId) return false
      stream.controller.abort(new Error('cancelled by the client'))
      return true
    },
    get size () { return streams.size },
  }
}

export type StreamRegistry = ReturnType<typeof createStreamRegistry>
