import type { Audience } from '../events/bus.ts'
import type { PersonaService } from './service.ts'
import { personaView } from './views.ts'

// What the persona service tells the rest of the server, as plain functions the plugin wires up.

interface Publisher {
  publish (topic: string, event: string, data: Record<string, unknown>, audience: Audience): number
}

/** Watchers of `persona.<id>` see every state change: personas are visible to everyone, and so is their state. */
export function publishStateChanges (personas: PersonaService, events: Publisher): void {
  personas.onChange((persona) => {
    const { interaction_state } = personaView(persona, personas)
    events.publish(`persona.${persona.id}`, 'state_changed', { persona_id: persona.id, name: persona.name, interaction_state }, 'public')
  })
}

/** The scheduled job: energy back and fatigue off for every persona that changed. */
export function regenerationJob (personas: PersonaService, log: { debug (obj: object, msg: string): void }) {
  return async (): Promise<void> => {
    const changed = await personas.regenerateAll()
    if (changed > 0) log.debug({ changed }, 'persona state regenerated')
  }
}
