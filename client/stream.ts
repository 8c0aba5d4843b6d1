import { RpcCallError, type RpcConnection } from './rpc.ts'

// persona.chat_stream as one call: chunks arrive as stream.event notifications carrying the
// request's id, then the request gets its final response (an error with reason "cancelled" when stopped).

export interface StreamOutcome {
  cancelled: boolean
  /** the final response's result (absent when cancelled) */
  result?: any
  chunks: string[]
  /** event_type of every stream.event seen, in order */
  events: string[]
}

export interface StreamHandle {
  outcome: Promise<StreamOutcome>
  /** asks the server to stop; safe to call before stream_start arrives, or more than once */
  cancel (): void
}

export function chatStream (rpc: RpcConnection, params: { message: string, token_budget?: number }, onChunk: (chunk: string) => void = () => {}): StreamHandle {
  const { id, result } = rpc.request('persona.chat_stream', params)
  const chunks: string[] = []
  const events: string[] = []
  let streamId: string | undefined
  let cancelWanted = false
  let cancelSent = false
  const sendCancel = () => {
    if (cancelSent || streamId === undefined) return
    cancelSent = true
    // the stream may end on its own before the cancel lands: "no such stream" is then expected
    rpc.call('persona.chat_cancel', { stream_id: streamId }).catch(() => {})
  }
  const off = rpc.onNotification((n) => {
    if (n.method !== 'stream.event' || n.params?.request_id !== id) return
    const event = n.params
    events.push(String(event.event_type))
    if (event.event_type === 'stream_start') {
      streamId = String(event.stream_id)
      if (cancelWanted) sendCancel()
    } else if (event.event_type === 'stream_chunk' && typeof event.chunk === 'string') {
      chunks.push(event.chunk)
      onChunk(event.chunk)
    }
  })
  const outcome = result.then(
    (value) => ({ cancelled: false, result: value, chunks, events }),
    (err: unknown) => {
      if (err instanceof RpcCallError && err.data?.reason === 'cancelled') return { cancelled: true, chunks, events }
      throw err
    },
  ).finally(off)
  return {
    outcome,
    cancel () {
      cancelWanted = true
      sendCancel()
    },
  }
}
