import { useEffect, useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { describeError } from '../api/errors.ts'

interface Memory { id: string, content: string, importance: number, score?: number }

/**
 * The persona's memories most relevant to what was said, ranked by memory.search the way the chat prompt
 * picks them (similarity, importance, recency). The chat reply itself does not list the memories it used.
 */
export function RecalledMemories ({ personaId, query }: { personaId: string, query: string }) {
  const api = useApi()
  const [memories, setMemories] = useState<Memory[] | null>(null)
  const [error, setError] = useState<string>()
  useEffect(() => {
    api.rpc.call<{ memories: Memory[] }>('memory.search', { persona_id: personaId, query, n_results: 5 })
      .then((r) => setMemories(r.memories), (err: unknown) => setError(describeError(err)))
  }, [api, personaId, query])
  if (error) return <p class="error">{error}</p>
  if (memories === null) return <p role="status">Looking up memories…</p>
  if (memories.length === 0) return <p>No memories come to mind for this.</p>
  return (
    <ul class="recalled" aria-label="Memories recalled for this message">
      {memories.map((m) => <li key={m.id}>{m.content} <span class="tag">importance {m.importance.toFixed(2)}{m.score !== undefined ? `, score ${m.score.toFixed(2)}` : ''}</span></li>)}
    </ul>
  )
}
