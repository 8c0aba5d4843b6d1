import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { Api } from '../api/connect.ts'
import { describeError } from '../api/errors.ts'
import { RpcError } from '../api/rpc.ts'
import type { ChatLine } from './types.ts'

interface HistoryEntry { turn_number: number, role: 'user' | 'persona', content: string, response_type: string | null }

let counter = 0
const key = () => `l${++counter}`

/**
 * One chat with one persona: its history (conversation.history), replies streamed token by token
 * (persona.chat_stream's stream.event notifications), cancel (persona.chat_cancel) and clear.
 */
export function useChat (api: Api, personaId: string) {
  const [lines, setLines] = useState<ChatLine[]>([])
  const [streamId, setStreamId] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const cancelled = useRef(false)

  useEffect(() => {
    setLines([])
    setError(undefined)
    if (!personaId) return
    let stale = false
    void (async () => {
      try {
        await api.rpc.call('persona.switch', { persona_id: personaId })
        const history = await api.rpc.call<{ messages: HistoryEntry[] }>('conversation.history', { persona_id: personaId, limit: 50 })
        if (stale) return
        let prompt = ''
        setLines(history.messages.map((m) => {
          if (m.role === 'user') prompt = m.content
          return { key: key(), role: m.role, content: m.content, responseType: m.response_type, prompt: m.role === 'persona' ? prompt : undefined }
        }))
      } catch (err) { if (!stale) setError(describeError(err)) }
    })()
    return () => { stale = true }
  }, [api, personaId])

  const update = (lineKey: string, change: Partial<ChatLine>) =>
    setLines((all) => all.map((l) => (l.key === lineKey ? { ...l, ...change } : l)))

  const send = useCallback(async (message: string) => {
    const reply = key()
    setError(undefined)
    setBusy(true)
    cancelled.current = false
    setLines((all) => [...all, { key: key(), role: 'user', content: message }, { key: reply, role: 'persona', content: '', prompt: message, state: 'streaming' }])
    let text = ''
    try {
      const result = await api.rpc.call<{ response: string, response_type: string }>('persona.chat_stream', { message }, (event) => {
        if (event.event_type === 'stream_start') setStreamId(event.stream_id)
        if (event.event_type === 'stream_chunk') {
          text += String(event.data?.chunk ?? '')
          update(reply, { content: text })
        }
      })
      update(reply, { content: result.response, responseType: result.response_type, state: undefined })
    } catch (err) {
      const wasCancelled = cancelled.current || (err instanceof RpcError && err.reason === 'cancelled')
      update(reply, { state: wasCancelled ? 'cancelled' : 'failed' })
      if (!wasCancelled) setError(describeError(err))
    } finally {
      setStreamId(null)
      setBusy(false)
    }
  }, [api])

  const cancel = useCallback(async () => {
    if (streamId === null) return
    cancelled.current = true
    await api.rpc.call('persona.chat_cancel', { stream_id: streamId }).catch(() => undefined)
  }, [api, streamId])

  const clear = useCallback(async () => {
    await api.rpc.call('conversation.clear', { persona_id: personaId })
    setLines([])
  }, [api, personaId])

  return { lines, busy, canCancel: streamId !== null, error, send, cancel, clear }
}
