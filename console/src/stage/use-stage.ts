import { useCallback, useRef, useState } from 'preact/hooks'
import type { Api } from '../api/connect.ts'
import { describeError } from '../api/errors.ts'
import type { Standing, Turn } from './types.ts'

const standing = async (api: Api, a: string, b: string): Promise<Standing | null> =>
  (await api.rpc.call<{ relationship: Standing | null }>('relationship.get', { persona1_id: a, persona2_id: b })).relationship

/**
 * A persona-to-persona conversation: conversation.start, then one conversation.turn at a time so each
 * turn shows as it arrives, until it ends by itself, reaches the turn limit or is ended here; the
 * relationship is read before and after.
 */
export function useStage (api: Api) {
  const [turns, setTurns] = useState<Turn[]>([])
  const [conversationId, setConversationId] = useState<string | null>(null)
  const [running, setRunning] = useState(false)
  const [outcome, setOutcome] = useState<string>()
  const [before, setBefore] = useState<Standing | null>(null)
  const [after, setAfter] = useState<Standing | null>(null)
  const [error, setError] = useState<string>()
  const stop = useRef(false)

  const start = useCallback(async (p1: string, p2: string, topic: string, maxTurns: number) => {
    setTurns([]); setOutcome(undefined); setAfter(null); setError(undefined)
    stop.current = false
    setRunning(true)
    let id: string | null = null
    try {
      setBefore(await standing(api, p1, p2))
      id = (await api.rpc.call<{ conversation_id: string }>('conversation.start', { persona1_id: p1, persona2_id: p2, topic })).conversation_id
      setConversationId(id)
      let ended = false
      for (let n = 0; n < maxTurns && !ended && !stop.current; n++) {
        const turn = await api.rpc.call<Turn>('conversation.turn', { conversation_id: id })
        setTurns((all) => [...all, turn])
        ended = turn.ended
        if (ended) setOutcome(`Ended by itself: ${turn.end_reason ?? 'done'}`)
      }
      if (!ended) {
        const end = await api.rpc.call<{ reason: string }>('conversation.end', { conversation_id: id, reason: stop.current ? 'ended_by_user' : 'turn_limit' })
        setOutcome(`Ended: ${end.reason}`)
      }
      setAfter(await standing(api, p1, p2))
    } catch (err) {
      setError(describeError(err))
    } finally {
      setRunning(false)
    }
  }, [api])

  /** ends after the turn under way */
  const end = useCallback(() => { stop.current = true }, [])

  return { turns, conversationId, running, outcome, before, after, error, start, end }
}
