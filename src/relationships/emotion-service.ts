import type { AppConfig } from '../config/index.ts'
import type Database from 'better-sqlite3'
import type { PrismaClient } from '../generated/prisma/client.ts'
import { toSqlTime } from '../store/sqlite/sql-time.ts'
import { createKeyedLock } from '../util/keyed-lock.ts'
import { clampEmotion, driftFromTurn, initialEmotion, regenerateEmotion, type EmotionalState, type EmotionValues } from './emotions.ts'

export interface EmotionServiceDeps {
  prisma: PrismaClient
  sqlite: Database.Database
  rules: AppConfig['emotions']
  now?: () => number
}

/**
 * Personas' moods (section 6): created with the first-read defaults, moved by conversations,
 * drifting back over time. Cached in memory and written through, like persona state.
 */
export function createEmotionService ({ prisma, sqlite, rules, now = Date.now }: EmotionServiceDeps) {
  // moods move with every chat turn: one prepared statement rather than a Prisma round trip
  const upsert = sqlite.prepare(`INSERT INTO EmotionalState (personaId, mood, energyLevel, stressLevel, curiosity, socialBattery, updatedAt)
    VALUES (@personaId, @mood, @energyLevel, @stressLevel, @curiosity, @socialBattery, @updatedAt)
    ON CONFLICT (personaId) DO UPDATE SET mood = excluded.mood, energyLevel = excluded.energyLevel, stressLevel = excluded.stressLevel,
      curiosity = excluded.curiosity, socialBattery = excluded.socialBattery, updatedAt = excluded.updatedAt`)
  const cache = new Map<string, EmotionalState>()
  const withLock = createKeyedLock()
  const listeners: Array<(personaId: string, state: EmotionalState) => void> = []

  const save = async (personaId: string, state: EmotionalState) => {
    upsert.run({
      personaId, mood: state.mood, energyLevel: state.energyLevel, stressLevel: state.stressLevel,
      curiosity: state.curiosity, socialBattery: state.socialBattery, updatedAt: toSqlTime(state.updatedAt),
    })
    cache.set(personaId, state)
    for (const listener of listeners) listener(personaId, state)
    return state
  }

  const load = async (personaId: string): Promise<EmotionalState> => {
    const cached = cache.get(personaId)
    if (cached) return cached
    const row = await prisma.emotionalState.findUnique({ where: { personaId } })
    if (!row) return save(personaId, initialEmotion(rules, now()))
    const state = { ...row, updatedAt: row.updatedAt.getTime() }
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

export const emotionView = (state: EmotionalState) => ({
  mood: Math.round(state.mood * 1000) / 1000,
  energy_level: Math.round(state.energyLevel * 1000) / 1000,
  stress_level: Math.round(state.stressLevel * 1000) / 1000,
  curiosity: Math.round(state.curiosity * 1000) / 1000,
  social_battery: Math.round(state.socialBattery * 1000) / 1000,
  last_updated: new Date(state.updatedAt).toISOString(),
})
