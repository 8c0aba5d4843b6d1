import { useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { describeError } from '../api/errors.ts'
import { ErrorNote } from '../ui/ErrorNote.tsx'
import type { Persona } from './types.ts'

const TEXT_FIELDS = [
  ['name', 'Name', 'input'], ['description', 'Description', 'textarea'], ['backstory', 'Backstory', 'textarea'],
  ['speaking_style', 'Speaking style', 'input'], ['social_rank', 'Social rank', 'input'],
] as const
const NUMBER_FIELDS = [['charisma', 'Charisma'], ['intelligence', 'Intelligence']] as const

type Values = Record<string, string>

interface Props { persona?: Persona, onDone: () => void, onCancel: () => void }

/** Create a persona (persona.create) or change one (persona.update: admin, or the persona's owner). */
export function PersonaForm ({ persona, onDone, onCancel }: Props) {
  const api = useApi()
  const [values, setValues] = useState<Values>(() => {
    const v: Values = {}
    for (const [key] of [...TEXT_FIELDS, ...NUMBER_FIELDS]) v[key] = persona ? String(persona[key] ?? '') : ''
    return v
  })
  const [error, setError] = useState<string>()
  const set = (key: string, value: string) => setValues((v) => ({ ...v, [key]: value }))

  const submit = async (e: Event) => {
    e.preventDefault()
    const params: Record<string, unknown> = {}
    for (const [key] of TEXT_FIELDS) if (values[key] !== '' || persona) params[key] = values[key]
    for (const [key] of NUMBER_FIELDS) if (values[key] !== '') params[key] = Number(values[key])
    try {
      if (persona) await api.rpc.call('persona.update', { persona_id: persona.id, ...params })
      else await api.rpc.call('persona.create', params)
      onDone()
    } catch (err) { setError(describeError(err)) }
  }

  const title = persona ? `Edit ${persona.name}` : 'New persona'
  return (
    <form class="card form" aria-label={title} onSubmit={submit}>
      <h3>{title}</h3>
      {TEXT_FIELDS.map(([key, label, kind]) => (
        <span class="field" key={key}>
          <label for={`pf-${key}`}>{label}</label>
          {kind === 'textarea'
            ? <textarea id={`pf-${key}`} rows={3} value={values[key]} onInput={(e) => set(key, e.currentTarget.value)} />
            : <input id={`pf-${key}`} required={key === 'name'} value={values[key]} onInput={(e) => set(key, e.currentTarget.value)} />}
        </span>
      ))}
      {NUMBER_FIELDS.map(([key, label]) => (
        <span class="field" key={key}>
          <label for={`pf-${key}`}>{label} (1-10)</label>
          <input id={`pf-${key}`} type="number" min={1} max={10} value={values[key]} onInput={(e) => set(key, e.currentTarget.value)} />
        </span>
      ))}
      <ErrorNote error={error} />
      <div class="actions">
        <button type="submit">{persona ? 'Save' : 'Create'}</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  )
}
