import { usePersonas } from '../personas/directory.ts'

interface Props {
  label: string
  value: string
  onChange: (id: string) => void
  id: string
  /** a persona not to offer (the other side of a stage conversation) */
  exclude?: string
}

/** A labelled select of every persona. */
export function PersonaPicker ({ label, value, onChange, id, exclude }: Props) {
  const { personas } = usePersonas()
  return (
    <span class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">Choose…</option>
        {personas.filter((p) => p.id !== exclude).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
      </select>
    </span>
  )
}
