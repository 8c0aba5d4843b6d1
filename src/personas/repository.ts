import type { InteractionState } from './state.ts'
import type { Persona, PersonaInput, PersonaPatch } from './types.ts'

// What the persona service needs from a database. The service holds every persona in memory and writes
// through this port, so reads never reach it; implementations live in src/store/<database>/.

export interface PersonaRepository {
  /** every persona, oldest first (start-up) */
  all (): Promise<Persona[]>
  /** one persona as stored now, null when gone (another instance changed or deleted it) */
  find (id: string): Promise<Persona | null>
  /** a new persona; a name taken (case-insensitively) is -32006 conflict */
  insert (input: PersonaInput, builtIn: boolean, ownerId?: string | null): Promise<Persona>
  /** the profile fields given (and the state, when given); a name taken is -32006 conflict */
  update (id: string, patch: PersonaPatch): Promise<Persona>
  /**
   * the persona with its new state, stored (every chat turn: must be cheap) if the stored state is still
   * `persona.state`; null when another instance changed it meanwhile (read it again and retry); gone: -32001
   */
  saveState (persona: Persona, state: InteractionState): Promise<Persona | null>
  /** the persona and everything that hangs on it (relationships naming it too) */
  remove (id: string): Promise<void>
}
