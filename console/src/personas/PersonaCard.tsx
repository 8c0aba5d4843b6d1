import { useApi } from '../api/context.ts'
import { Avatar } from './Avatar.tsx'
import { StateMeters } from './StateMeters.tsx'
import type { Persona } from './types.ts'

interface Props { persona: Persona, onEdit: (p: Persona) => void, onDelete: (p: Persona) => void }

/** One persona in the gallery: avatar, who they are, live state, and what this key may do with them. */
export function PersonaCard ({ persona, onEdit, onDelete }: Props) {
  const api = useApi()
  const mayEdit = api.admin || (persona.owner_id !== null && persona.owner_id === api.userId)
  const s = persona.interaction_state
  return (
    <article class="card persona" aria-labelledby={`persona-${persona.id}`} data-persona={persona.name}>
      <header>
        <Avatar id={persona.id} name={persona.name} />
        <div>
          <h3 id={`persona-${persona.id}`}>{persona.name}</h3>
          <p class="tag">{persona.built_in ? 'built in' : `created by ${persona.owner_id ?? 'nobody'}`} · {s.is_available ? 'available' : `resting ${Math.ceil(s.cooldown_remaining)} s`} · {s.current_priority}</p>
        </div>
      </header>
      <p>{persona.description}</p>
      <StateMeters persona={persona} />
      <footer>
        <a class="button" href={`#/chat/${persona.id}`}>Chat with {persona.name}</a>
        {mayEdit && <button type="button" onClick={() => onEdit(persona)}>Edit {persona.name}</button>}
        {mayEdit && !persona.built_in && <button type="button" class="danger" onClick={() => onDelete(persona)}>Delete {persona.name}</button>}
      </footer>
    </article>
  )
}
