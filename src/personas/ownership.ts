import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import type { Persona } from './types.ts'

// Personas are shared: everyone may read and talk to every persona, but changing one (profile, state,
// mood, relationships, deleting it) changes it for every user. So only its owner may, and admins.

/** Admins may change any persona; a client key only the personas it created (built-ins have no owner). */
export function mayChangePersona (persona: Pick<Persona, 'ownerId'>, user: UserIdentity): boolean {
  return user.scope === 'admin' || (persona.ownerId !== null && persona.ownerId === user.id)
}

/** The persona, or -32005 forbidden when this user may not change it. */
export function requireChangeable<P extends Pick<Persona, 'id' | 'name' | 'ownerId' | 'builtIn'>> (persona: P, user: UserIdentity): P {
  if (!mayChangePersona(persona, user)) {
    const whose = persona.builtIn ? 'a built-in persona' : 'another user\'s persona'
    throw domainError(ErrorCode.Forbidden, `${persona.name} is ${whose}: only its owner or an admin key may change it`, { persona_id: persona.id })
  }
  return persona
}
