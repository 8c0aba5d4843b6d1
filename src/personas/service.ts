import { domainError, ErrorCode } from '../rpc/errors.ts'
import { BUILT_IN_PERSONAS } from './builtins.ts'
import { createKeyedLock } from '../util/keyed-lock.ts'
import type { PersonaRepository } from './repository.ts'
import { applyFatigue, applyUserChat, conditionOf, cooldownRemaining, isAvailable, regenerate, secondsUntilAvailable, type Condition, type InteractionState, type UserChatRules } from './state.ts'
import type { Persona, PersonaInput, PersonaPatch } from './types.ts'

export interface PersonaServiceDeps {
  repository: PersonaRepository
  rules: UserChatRules & { refuseWhenExhausted: boolean }
  now?: () => number
  /** tells the other instances a persona's row changed (undefined: there are none) */
  announce?: (personaId: string) => void
}

/** state writes that lost the race to another instance, retried on its result up to this many times in all */
const MAX_STATE_ATTEMPTS = 8
/** a miss by name reads every persona again at most this often */
const CATCH_UP_MS = 1000

/**
 * Personas and their interaction state. All personas are held in memory, written through to the
 * database, as reads (persona.list, every chat turn) are hot; each write is announced, and another
 * instance's writes are read again when it announces them (refresh).
 */
export function createPersonaService ({ repository, rules, now = Date.now, announce }: PersonaServiceDeps) {
  const cache = new Map<string, Persona>()
  const withLock = createKeyedLock()
  let lastCatchUp = -Infinity
  let catchingUp: Promise<void> | undefined
  const listeners: Array<(persona: Persona) => void> = []
  const removedListeners: Array<(persona: Persona) => void> = []
  const createdListeners: Array<(persona: Persona) => void> = []
  // run before a delete (chats under way stop and are waited for); each may return a release, called after it
  const beforeDelete: Array<(persona: Persona) => Promise<(() => void) | void>> = []
  const store = (persona: Persona) => { cache.set(persona.id, persona); announce?.(persona.id); return persona }
  /** a stored change others may want to know about (events watchers) */
  const changed = (persona: Persona) => { store(persona); for (const listener of listeners) listener(persona); return persona }

  const byName = (name: string) => {
    const key = name.toLowerCase()
    for (const persona of cache.values()) if (persona.name.toLowerCase() === key) return persona
    return undefined
  }

  /** the stored personas this instance has not heard of (the ones it holds are kept current by announcements),
   * each read again under its lock as refresh does, so a delete under way here cannot be undone by this read */
  const addUnknown = async () => {
    const unknown = (await repository.all()).filter((persona) => !cache.has(persona.id)).map((persona) => persona.id)
    if (unknown.length > 0) await service.refresh(unknown)
  }

  const assertNameFree = (name: string, exceptId?: string) => {
    const holder = byName(name)
    if (holder && holder.id !== exceptId) {
      throw domainError(ErrorCode.Conflict, `A persona named ${holder.name} already exists`, { name })
    }
  }

  const service = {
    /** Loads every persona and adds the built-ins that are missing (idempotent). */
    async init (): Promise<void> {
      cache.clear()
      for (const persona of await repository.all()) cache.set(persona.id, persona)
      for (const builtIn of BUILT_IN_PERSONAS) {
        if (!byName(builtIn.name)) store(await repository.insert(builtIn, true))
      }
    },

    onChange (listener: (persona: Persona) => void): void {
      listeners.push(listener)
    },

    /** after a new persona was stored (MCP list_changed) */
    onCreated (listener: (persona: Persona) => void): void {
      createdListeners.push(listener)
    },

    /** after a persona and everything cascading from it left the database */
    onRemoved (listener: (persona: Persona) => void): void {
      removedListeners.push(listener)
    },

    /** awaited before a persona is deleted; the release it returns runs once the delete is over */
    onBeforeDelete (listener: (persona: Persona) => Promise<(() => void) | void>): void {
      beforeDelete.push(listener)
    },

    list (): Persona[] {
      return [...cache.values()]
    },

    /** By id, or by case-insensitive name. */
    find (idOrName: string): Persona | undefined {
      return cache.get(idOrName) ?? byName(idOrName)
    },

    get (idOrName: string): Persona {
      const persona = service.find(idOrName)
      if (!persona) throw domainError(ErrorCode.PersonaNotFound, `Persona not found: ${idOrName}`, { persona_id: idOrName })
      return persona
    },

    isAvailable (persona: Persona): boolean {
      return isAvailable(persona.state, now(), rules)
    },

    cooldownRemaining (persona: Persona): number {
      return cooldownRemaining(persona.state, now())
    },

    /** The persona, refused with a retry hint when it cannot talk now. */
    requireAvailable (idOrName: string): Persona {
      const persona = service.get(idOrName)
      if (!service.isAvailable(persona)) {
        const wait = secondsUntilAvailable(persona.state, now(), rules)
        throw domainError(ErrorCode.PersonaUnavailable, `Persona ${persona.name} is not available for interaction`,
          { persona_id: persona.id, ...(Number.isFinite(wait) ? { retry_after: Math.max(1, wait) } : {}) })
      }
      return persona
    },

    /**
     * The persona a user may talk to now. State colours a persona's answers instead of locking its users out:
     * only games that opt in (personas.refuseWhenExhausted) refuse while it is unavailable.
     */
    admitUser (idOrName: string): Persona {
      return rules.refuseWhenExhausted ? service.requireAvailable(idOrName) : service.get(idOrName)
    },

    /** How the persona feels now (regeneration counted up to now): its prompt note and reply length. */
    condition (persona: Persona): Condition {
      const at = now()
      return conditionOf(regenerate(persona.state, at, rules), at, rules)
    },

    /** What one user chat turn of `seconds` costs; never past availability unless refusing is opted into. */
    chargeUserChat (id: string, seconds: number): Promise<Persona> {
      return service.setState(id, (state) => (rules.refuseWhenExhausted ? applyFatigue(state, seconds) : applyUserChat(state, seconds, rules)))
    },

    /** `ownerId`: the creating user, who may change it later (null: admins only) */
    async create (input: PersonaInput, ownerId: string | null = null): Promise<Persona> {
      assertNameFree(input.name)
      const persona = store(await repository.insert(input, false, ownerId))
      for (const listener of createdListeners) listener(persona)
      return persona
    },

    async update (id: string, patch: PersonaPatch): Promise<Persona> {
      const persona = service.get(id)
      if (patch.name !== undefined && patch.name !== persona.name) {
        if (persona.builtIn) throw domainError(ErrorCode.Forbidden, `Built-in persona ${persona.name} cannot be renamed`, { persona_id: persona.id })
        assertNameFree(patch.name, persona.id)
      }
      const { state, ...profile } = patch
      const updated = Object.values(profile).some((v) => v !== undefined)
        ? await withLock(persona.id, async () => changed(await repository.update(persona.id, profile)))
        : persona
      // the state as setState writes it: on the latest stored state, so a chat turn on another instance is not undone
      return state ? await service.setState(persona.id, (latest) => ({ ...latest, ...state })) : updated
    },

    async delete (id: string): Promise<Persona> {
      const persona = service.get(id)
      if (persona.builtIn) throw domainError(ErrorCode.Forbidden, `Built-in persona ${persona.name} cannot be deleted`, { persona_id: persona.id })
      const releases: Array<() => void> = []
      try {
        for (const listener of beforeDelete) { const release = await listener(persona); if (release) releases.push(release) }
        await repository.remove(persona.id)
        cache.delete(persona.id)
        announce?.(persona.id)
      } finally {
        for (const release of releases) release()
      }
      for (const listener of removedListeners) listener(persona)
      return persona
    },

    /** The store cleared these personas' owner (their creator's data was erased): the cache follows. */
    async disowned (ids: readonly string[]): Promise<void> {
      // under each persona's lock: a state change in flight would otherwise store its owner back
      await Promise.all(ids.map((id) => withLock(id, async () => {
        const persona = cache.get(id)
        if (persona) store({ ...persona, ownerId: null })
      })))
    },

    /**
     * Personas another instance changed, created or deleted: read again, each under its lock (so no write
     * of this instance interleaves). Created and removed listeners hear of arrivals and departures; change
     * listeners do not (the instance that changed it told the event's watchers already).
     */
    async refresh (ids: readonly string[]): Promise<void> {
      await Promise.all(ids.map((id) => withLock(id, async () => {
        const known = cache.get(id)
        const latest = await repository.find(id)
        if (latest === null) {
          if (known === undefined) return
          cache.delete(id)
          for (const listener of removedListeners) listener(known)
          return
        }
        cache.set(id, latest)
        if (known === undefined) for (const listener of createdListeners) listener(latest)
      })))
    },

    /**
     * Every persona read again (announcements of other instances' writes may have been lost): the ones
     * cached and the ones stored, as refresh does for a few. Personas are all held, so none can be dropped.
     */
    async refreshAll (): Promise<void> {
      const stored = await repository.all()
      await service.refresh([...new Set([...cache.keys(), ...stored.map((persona) => persona.id)])])
    },

    /**
     * A persona this instance may not have heard of yet (another instance created it a moment ago, before
     * its announcement arrived): the cache, else the row by id, else (a name) every row again, at most
     * once a second however many misses ask, so unknown names cannot make each call a full read.
     */
    async load (idOrName: string): Promise<Persona | undefined> {
      const cached = service.find(idOrName)
      if (cached) return cached
      await service.refresh([idOrName])
      const byId = service.find(idOrName)
      if (byId || now() - lastCatchUp < CATCH_UP_MS) return byId
      lastCatchUp = now()
      catchingUp ??= addUnknown().finally(() => { catchingUp = undefined })
      await catchingUp
      return service.find(idOrName)
    },

    /** Changes a persona's state from its latest value (changes to one persona never interleave). */
    async setState (id: string, change: (state: InteractionState) => InteractionState): Promise<Persona> {
      const { id: personaId } = service.get(id)
      return withLock(personaId, async () => {
        let persona = service.get(personaId)
        for (let attempt = 1; ; attempt++) {
          // regeneration is brought up to now first, so time spent idle before this change is credited
          // once, and time after it is not credited to a state that did not exist yet
          const saved = await repository.saveState(persona, change(regenerate(persona.state, now(), rules)))
          if (saved !== null) return changed(saved)
          // another instance changed the state since this one read it: the change goes on top of its write
          const latest = await repository.find(personaId)
          if (latest === null) throw domainError(ErrorCode.PersonaNotFound, `Persona not found: ${personaId}`, { persona_id: personaId })
          if (attempt >= MAX_STATE_ATTEMPTS) throw domainError(ErrorCode.Conflict, `Persona ${persona.name} is changing too fast; try again`, { persona_id: personaId })
          cache.set(personaId, persona = latest)
        }
      })
    },

    /** The scheduled regeneration: energy back, fatigue off, for every persona that changed. */
    async regenerateAll (): Promise<number> {
      let changed = 0
      const at = now()
      for (const { id, state } of [...cache.values()]) {
        const next = regenerate(state, at, rules)
        if (next.socialEnergy === state.socialEnergy && next.interactionFatigue === state.interactionFatigue &&
          next.availableTime === state.availableTime) continue
        if (!cache.has(id)) continue
        await service.setState(id, (latest) => regenerate(latest, at, rules))
        changed++
      }
      return changed
    },
  }
  return service
}

export type PersonaService = ReturnType<typeof createPersonaService>
