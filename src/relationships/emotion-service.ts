import type { AppConfig } from '../config/index.ts'
import { createKeyedLock } from '../util/keyed-lock.ts'
import { regenerateEmotion, turnDeltas, type EmotionalState, type EmotionChange, type EmotionValues } from './emotions.ts'
import type { EmotionRepository } from './repository.ts'

export interface EmotionServiceDeps {
  repository: EmotionRepository
  rules: AppConfig['emotions']
  now?: () => number
  /** tells the other instances this persona's mood changed (undefined: there are none) */
  announce?: (personaId: string) => void
}

/**
 * Personas' moods (section 6): created with the first-read defaults, moved by conversations,
 * drifting back over time. Cached in memory; every change is a delta the store applies atomically,
 * so instances changing one mood at once lose nothing, and the others drop their copy (forget).
 */
export function createEmotionService ({ repository, rules, now = Date.now, announce }: EmotionServiceDeps) {
  // moods are read for every chat prompt
  const cache = new Map<string, EmotionalState>()
  const withLock = createKeyedLock()
  const listeners: Array<(personaId: string, state: EmotionalState) => void> = []
  // bumped by each forget: a read that was under way then does not cache what it read
  let generation = 0

  /** Stores the change (regenerated up to now first) and caches what the store made of it. */
  const change = (personaId: string, delta: Omit<EmotionChange, 'at' | 'rules'> = {}) => withLock(personaId, async () => {
    const state = await repository.change(personaId, { ...delta, at: now(), rules }, cache.get(personaId))
    cache.set(personaId, state)
    announce?.(personaId)
    for (const listener of listeners) listener(personaId, state)
    return state
  })

  const load = async (personaId: string): Promise<EmotionalState> => {
    const cached = cache.get(personaId)
    if (cached) return cached
    const seen = generation
    const state = await repository.find(personaId)
    if (!state) return change(personaId)
    if (seen === generation) cache.set(personaId, state)
    return state
  }

  return {
    onChange (listener: (personaId: string, state: EmotionalState) => void): void { listeners.push(listener) },

    /** The state now; the first read stores the defaults. */
    get: async (personaId: string) => regenerateEmotion(await load(personaId), now(), rules),

    set: (personaId: string, values: Partial<EmotionValues>) => change(personaId, { set: values }),

    /** Back to the configured initial values. */
    reset: (personaId: string) => change(personaId, { set: rules.initial }),

    /** A conversation turn of quality -1..1 moves the mood. */
    afterTurn: (personaId: string, quality: number) => change(personaId, { add: turnDeltas(quality, rules) }),

    /** The scheduled drift back towards the defaults, for personas whose mood has been read. */
    async regenerateAll (): Promise<number> {
      const ids = [...cache.keys()]
      for (const personaId of ids) await change(personaId)
      return ids.length
    },

    /** the stored mood changed elsewhere (another instance) or went with its persona: read again when needed */
    forget (personaId: string): void { generation++; cache.delete(personaId) },
    /** every mood (announcements of other instances' writes may have been lost) */
    forgetAll (): void { generation++; cache.clear() },
  }
}

export type EmotionService = ReturnType<typeof createEmotionService>
