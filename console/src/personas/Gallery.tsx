import { useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { describeError } from '../api/errors.ts'
import { ErrorNote } from '../ui/ErrorNote.tsx'
import { ViewHeading } from '../ui/ViewHeading.tsx'
import { CardDrop } from './CardDrop.tsx'
import { usePersonas } from './directory.ts'
import { PersonaCard } from './PersonaCard.tsx'
import { PersonaForm } from './PersonaForm.tsx'
import type { Persona } from './types.ts'

/** Every persona with live state; create, edit, delete, and character-card import. */
export function Gallery () {
  const api = useApi()
  const { personas, refresh } = usePersonas()
  // null: no form open; 'new': creating; a persona: editing it
  const [editing, setEditing] = useState<Persona | 'new' | null>(null)
  const [error, setError] = useState<string>()

  const remove = async (p: Persona) => {
    if (!confirm(`Delete ${p.name}? Their memories and conversations go too.`)) return
    try {
      await api.rpc.call('persona.delete', { persona_id: p.id })
      await refresh()
    } catch (err) { setError(describeError(err)) }
  }

  return (
    <section aria-labelledby="view-title" class="view">
      <div class="view-head">
        <ViewHeading>Personas</ViewHeading>
        <button type="button" onClick={() => setEditing('new')}>New persona</button>
      </div>
      <ErrorNote error={error} />
      {editing !== null && (
        <PersonaForm persona={editing === 'new' ? undefined : editing} onDone={() => { setEditing(null); void refresh() }} onCancel={() => setEditing(null)} />
      )}
      <div class="gallery">
        {personas.map((p) => <PersonaCard key={p.id} persona={p} onEdit={setEditing} onDelete={remove} />)}
      </div>
      <CardDrop onImported={refresh} />
    </section>
  )
}
