import type { UserIdentity } from '../rpc/caller.ts'
import { BUILT_IN_PERSONAS } from './builtins.ts'
import type { PersonaCreateBody, PersonaPatchBody, PersonaView } from './schemas.ts'
import type { PersonaService } from './service.ts'
import type { StateInput } from './types.ts'
import { personaPatch, personaView } from './views.ts'

// The operator's personas (/admin/v1/personas): the persona service in wire shapes, and the reset rule.

/** A new persona's interaction state: the column defaults of the Persona table (prisma/schema.prisma). */
const DEFAULT_STATE: Required<StateInput> = { interestLevel: 50, interactionFatigue: 0, currentPriority: 'none', availableTime: 300, socialEnergy: 100, cooldownUntil: 0 }

/** where reset-state takes a persona back to: a built-in's own starting state, or the defaults */
export function startingState (persona: { name: string, builtIn: boolean }): Required<StateInput> {
  const builtIn = persona.builtIn ? BUILT_IN_PERSONAS.find((b) => b.name.toLowerCase() === persona.name.toLowerCase()) : undefined
  return { ...DEFAULT_STATE, ...builtIn?.state }
}

export function createPersonaAdmin (personas: PersonaService) {
  const view = (persona: Parameters<typeof personaView>[0]) => personaView(persona, personas)
  return {
    list ({ limit, offset }: { limit: number, offset: number }) {
      const all = personas.list()
      return { items: all.slice(offset, offset + limit).map(view), total: all.length, limit, offset }
    },

    get: (idOrName: string): PersonaView => view(personas.get(idOrName)),

    /** the operator's key's user owns it, as with persona.create */
    async create (body: PersonaCreateBody, user: UserIdentity): Promise<PersonaView> {
      return view(await personas.create({ ...personaPatch(body), name: body.name }, user.id))
    },

    async update (idOrName: string, body: PersonaPatchBody): Promise<PersonaView> {
      return view(await personas.update(idOrName, personaPatch(body)))
    },

    /** Energy, time, fatigue, interest, priority and cooldown back to the start; the profile untouched. */
    async resetState (idOrName: string): Promise<PersonaView> {
      const persona = personas.get(idOrName)
      const start = startingState(persona)
      // setState, not update: it runs under the persona's lock, so a chat turn cannot interleave
      return view(await personas.setState(persona.id, (state) => ({ ...state, ...start })))
    },

    async delete (idOrName: string) {
      const persona = await personas.delete(idOrName)
      return { id: persona.id, name: persona.name, deleted: true as const }
    },
  }
}
