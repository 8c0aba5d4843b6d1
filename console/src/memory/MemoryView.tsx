import { useEffect, useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { usePersonas } from '../personas/directory.ts'
import { ErrorNote } from '../ui/ErrorNote.tsx'
import { PersonaPicker } from '../ui/PersonaPicker.tsx'
import { ViewHeading } from '../ui/ViewHeading.tsx'
import { DecayCurves, type DecaySettings } from './DecayCurves.tsx'
import { ImportanceHistogram } from './ImportanceHistogram.tsx'
import { MemoryFilters } from './MemoryFilters.tsx'
import { MemoryRow } from './MemoryRow.tsx'
import { PrunePanel } from './PrunePanel.tsx'
import type { MemoryFilter } from './types.ts'
import { useMemories } from './use-memories.ts'

const NO_FILTER: MemoryFilter = { query: '', type: '', minImportance: 0, visibility: '', maxAgeDays: 0 }

/** A persona's memories: search and filter, edit and delete, their importance, decay and pruning. */
export function MemoryView ({ param }: { param: string }) {
  const api = useApi()
  const { personas } = usePersonas()
  const personaId = param || personas[0]?.id || ''
  const [filter, setFilter] = useState(NO_FILTER)
  const { memories, loaded, error, note, reload } = useMemories(api, personaId, filter)
  const [decay, setDecay] = useState<DecaySettings>()
  useEffect(() => {
    void api.rpc.call<{ settings: { decay: DecaySettings } }>('memory.get_stats').then((s) => setDecay(s.settings.decay), () => undefined)
  }, [api])
  const types = [...new Set(['conversation', 'user_input', 'lore', 'summary', ...memories.map((m) => m.memory_type)])]

  return (
    <section class="view memories" aria-labelledby="view-title">
      <ViewHeading>Memories</ViewHeading>
      <div class="toolbar">
        <PersonaPicker id="mem-persona" label="Persona" value={personaId} onChange={(id) => { location.hash = `#/memories/${id}` }} />
      </div>
      <MemoryFilters filter={filter} onChange={setFilter} types={types} />
      <ErrorNote error={error} />
      {note && <p>{note}</p>}
      <div class="memory-layout">
        <div>
          <p role="status">{memories.length} of {loaded} memories shown</p>
          <ul class="memory-list" aria-label="Memories">
            {memories.map((m) => <MemoryRow key={m.id} memory={m} onChanged={() => void reload()} />)}
          </ul>
        </div>
        <div>
          <ImportanceHistogram importances={memories.map((m) => m.importance)} />
          {decay && <DecayCurves settings={decay} />}
          <PrunePanel personaId={personaId} onChanged={() => void reload()} />
        </div>
      </div>
    </section>
  )
}
