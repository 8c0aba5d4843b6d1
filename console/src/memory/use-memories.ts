import { useCallback, useEffect, useState } from 'preact/hooks'
import type { Api } from '../api/connect.ts'
import { describeError } from '../api/errors.ts'
import type { Memory, MemoryFilter } from './types.ts'

const DAY_MS = 86_400_000

/** The filters memory.search and the admin list cannot apply themselves, applied here. */
export const applyFilter = (memories: Memory[], f: MemoryFilter, now = Date.now()): Memory[] => memories.filter((m) =>
  (f.visibility === '' || m.visibility === f.visibility) &&
  m.importance >= f.minImportance &&
  (f.maxAgeDays === 0 || now - Date.parse(m.created_at) <= f.maxAgeDays * DAY_MS))

/**
 * A persona's memories: words search them (memory.search, ranked); without words an admin key lists them
 * (GET /admin/v1/memories), a client key is asked for words.
 */
export function useMemories (api: Api, personaId: string, filter: MemoryFilter) {
  const [memories, setMemories] = useState<Memory[]>([])
  const [error, setError] = useState<string>()
  const [note, setNote] = useState<string>()

  const load = useCallback(async () => {
    setError(undefined); setNote(undefined)
    if (!personaId) return setMemories([])
    try {
      if (filter.query.trim() !== '') {
        const r = await api.rpc.call<{ memories: Memory[] }>('memory.search', {
          persona_id: personaId, query: filter.query.trim(), n_results: 100,
          ...(filter.type ? { memory_type: filter.type } : {}), ...(filter.minImportance > 0 ? { min_importance: filter.minImportance } : {}),
        })
        setMemories(r.memories)
      } else if (api.admin) {
        const q = new URLSearchParams({ persona_id: personaId, limit: '200', ...(filter.type ? { memory_type: filter.type } : {}) })
        setMemories((await api.rest<{ items: Memory[] }>('GET', `/memories?${q}`)).items)
      } else {
        setMemories([])
        setNote('Write a few words to search this persona\'s memories.')
      }
    } catch (err) { setError(describeError(err)) }
  }, [api, personaId, filter.query, filter.type, filter.minImportance])

  useEffect(() => { void load() }, [load])

  return { memories: applyFilter(memories, filter), loaded: memories.length, error, note, reload: load }
}
