import type { MemoryFilter } from './types.ts'
import { VISIBILITIES } from './types.ts'

interface Props { filter: MemoryFilter, onChange: (f: MemoryFilter) => void, types: string[] }

/** Words, type, least importance, visibility and age; the search runs as they change. */
export function MemoryFilters ({ filter, onChange, types }: Props) {
  const set = <K extends keyof MemoryFilter>(key: K, value: MemoryFilter[K]) => onChange({ ...filter, [key]: value })
  return (
    <form class="toolbar" role="search" aria-label="Memory filters" onSubmit={(e) => e.preventDefault()}>
      <span class="field"><label for="mem-query">Search words</label>
        <input id="mem-query" type="search" value={filter.query} onChange={(e) => set('query', e.currentTarget.value)} /></span>
      <span class="field"><label for="mem-type">Type</label>
        <input id="mem-type" list="mem-types" value={filter.type} onChange={(e) => set('type', e.currentTarget.value.trim())} />
        <datalist id="mem-types">{types.map((t) => <option key={t} value={t} />)}</datalist></span>
      <span class="field"><label for="mem-importance">Least importance</label>
        <input id="mem-importance" type="number" min={0} max={1} step={0.05} value={filter.minImportance} onChange={(e) => set('minImportance', Number(e.currentTarget.value) || 0)} /></span>
      <span class="field"><label for="mem-visibility">Visibility</label>
        <select id="mem-visibility" value={filter.visibility} onChange={(e) => set('visibility', e.currentTarget.value)}>
          <option value="">any</option>
          {VISIBILITIES.map((v) => <option key={v} value={v}>{v}</option>)}
        </select></span>
      <span class="field"><label for="mem-age">At most days old (0: any)</label>
        <input id="mem-age" type="number" min={0} value={filter.maxAgeDays} onChange={(e) => set('maxAgeDays', Number(e.currentTarget.value) || 0)} /></span>
      <button type="submit">Search</button>
    </form>
  )
}
