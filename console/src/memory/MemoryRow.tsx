import { useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { describeError } from '../api/errors.ts'
import { ErrorNote } from '../ui/ErrorNote.tsx'
import type { Memory } from './types.ts'
import { VISIBILITIES } from './types.ts'

const age = (iso: string) => {
  const days = (Date.now() - Date.parse(iso)) / 86_400_000
  return days < 1 ? `${Math.max(0, Math.round(days * 24))} h` : `${Math.round(days)} d`
}

/** One memory; edit (memory.update sends only what changed) or delete (memory.delete). */
export function MemoryRow ({ memory, onChanged }: { memory: Memory, onChanged: () => void }) {
  const api = useApi()
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState({ content: memory.content, importance: memory.importance, visibility: memory.visibility })
  const [error, setError] = useState<string>()
  const id = `mem-${memory.id}`

  const save = async (e: Event) => {
    e.preventDefault()
    const changes: Record<string, unknown> = {}
    if (draft.content !== memory.content) changes.content = draft.content
    if (draft.importance !== memory.importance) changes.importance = draft.importance
    if (draft.visibility !== memory.visibility) changes.visibility = draft.visibility
    try {
      if (Object.keys(changes).length) await api.rpc.call('memory.update', { memory_id: memory.id, ...changes })
      setEditing(false)
      onChanged()
    } catch (err) { setError(describeError(err)) }
  }
  const remove = async () => {
    if (!confirm('Delete this memory for good?')) return
    try { await api.rpc.call('memory.delete', { memory_id: memory.id }); onChanged() } catch (err) { setError(describeError(err)) }
  }

  if (editing) {
    return (
      <li class="memory editing">
        <form onSubmit={save} aria-label="Edit memory">
          <span class="field"><label for={`${id}-content`}>Content</label>
            <textarea id={`${id}-content`} rows={2} value={draft.content} onInput={(e) => setDraft({ ...draft, content: e.currentTarget.value })} /></span>
          <span class="field"><label for={`${id}-importance`}>Importance</label>
            <input id={`${id}-importance`} type="number" min={0} max={1} step={0.01} value={draft.importance} onInput={(e) => setDraft({ ...draft, importance: Number(e.currentTarget.value) })} /></span>
          <span class="field"><label for={`${id}-visibility`}>Visibility</label>
            <select id={`${id}-visibility`} value={draft.visibility} onChange={(e) => setDraft({ ...draft, visibility: e.currentTarget.value as Memory['visibility'] })}>
              {VISIBILITIES.map((v) => <option key={v} value={v}>{v}</option>)}
            </select></span>
          <button type="submit">Save</button>
          <button type="button" onClick={() => setEditing(false)}>Cancel</button>
          <ErrorNote error={error} />
        </form>
      </li>
    )
  }
  return (
    <li class="memory">
      <p>{memory.content}</p>
      <span class="tag">{memory.memory_type} · importance {memory.importance.toFixed(2)} · {memory.visibility} · {age(memory.created_at)} old · recalled {memory.accessed_count}×{memory.score !== undefined ? ` · score ${memory.score.toFixed(2)}` : ''}</span>
      <button type="button" onClick={() => setEditing(true)} aria-label={`Edit memory: ${memory.content.slice(0, 40)}`}>Edit</button>
      <button type="button" class="danger" onClick={() => void remove()} aria-label={`Delete memory: ${memory.content.slice(0, 40)}`}>Delete</button>
      <ErrorNote error={error} />
    </li>
  )
}
