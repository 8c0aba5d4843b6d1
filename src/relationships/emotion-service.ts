import type { AppConfig } from '../config/index.ts'
import { createKeyedLock } from '../util/keyed-lock.ts'
import { clampEmotion, driftFromTurn, initialEmotion, regenerateEmotion, type EmotionalState, type EmotionValues } from './emotions.ts'
import type { EmotionRepository } from './repository.ts'

export interface EmotionServiceDeps {
  repository: EmotionRepository
  rules: AppConfig['emotions']
  now?: () => number
}

/**
 * Personas' moods (section 6): created with the first-read defaults, moved by conversations,
 * drifting back over time. Cached in memory and written through, like persona state.
 */
export function createEmotionService ({ repository, rules, now = Date.now }: EmotionServiceDeps) {
  // moods are read for every chat prompt: the cache is kept by this service, the only writer
  const cache = new Map<string, EmotionalState>()
  const withLock = createKeyedLock()
  const listeners: Array<(personaId: string, state: EmotionalState) => void> = []

  const save = async (personaId: string, state: EmotionalState) => {
    await repository.save(personaId, state)
    cache.set(personaId, state)
    for (const listener of listeners) listener(personaId, state)
    return state
  }

  const load = async (personaId: string): Promise<EmotionalState> => {
    const cached = cache.get(personaId)
    if (cached) return cached
    const state = await repository.find(personaId)
    if (!state) return save(personaId, initialEmotion(rules, now()))
    cache.set(personaId, state)
    return state
  }

  /** Reads the latest state, regenerated up to now, changes it and stores it. */
  const change = (personaId: string, update: (state: EmotionalState) => EmotionalState) =>
    withLock(personaId, async () => save(personaId, update(regenerateEmotion(await load(personaId), now(), rules))))

  return {
    onChange (listener: (personaId: string, state: EmotionalState) => void): void { listeners.push(listener) },

    /** The state now; the first read stores the defaults. */
    get: (personaId: string) => withLock(personaId, async () => regenerateEmotion(await load(personaId), now(), rules)),

    set: (personaId: string, values: Partial<EmotionValues>) => change(personaId, (state) => ({ ...state, ...clampEmotion(values) })),

    /** Back to the configured initial values. */
    reset: (personaId: string) => change(personaId, (state) => ({ ...state, ...clampEmotion(rules.initial) })),

    /** A conversation turn of quality -1..1 moves the mood. */
    afterTurn: (personaId: string, quality: number) => change(personaId, (state) => driftFromTurn(state, quality, rules)),

    /** The scheduled drift back towards the defaults, for personas whose mood has been read. */
    async regenerateAll (): Promise<number> {
      for (const personaId of cache.keys()) await change(personaId, (state) => state)
      return cache.size
    },

    forget (personaId: string): void { cache.delete(personaId) },
  }
}

export type EmotionService = ReturnType<typeof createEmotionService>
