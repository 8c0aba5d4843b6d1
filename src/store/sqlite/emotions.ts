import { applyEmotionChange, type EmotionalState } from '../../relationships/emotions.ts'
import type { EmotionRepository } from '../../relationships/repository.ts'
import type { SqliteDatabase } from './database.ts'
import { toSqlTime } from './sql-time.ts'

type EmotionRow = Omit<EmotionalState, 'updatedAt'> & { updatedAt: string }

/**
 * Personas' moods, one row each; moods move with every chat turn, so prepared statements. A change is read
 * and written in one IMMEDIATE transaction: a second connection to the file waits for it, nothing is lost.
 */
export function createSqliteEmotionRepository ({ sqlite }: SqliteDatabase): EmotionRepository {
  const findOne = sqlite.prepare<[string], EmotionRow>(
    'SELECT mood, energyLevel, stressLevel, curiosity, socialBattery, updatedAt FROM EmotionalState WHERE personaId = ?')
  const upsert = sqlite.prepare(`INSERT INTO EmotionalState (personaId, mood, energyLevel, stressLevel, curiosity, socialBattery, updatedAt)
    VALUES (@personaId, @mood, @energyLevel, @stressLevel, @curiosity, @socialBattery, @updatedAt)
    ON CONFLICT (personaId) DO UPDATE SET mood = excluded.mood, energyLevel = excluded.energyLevel, stressLevel = excluded.stressLevel,
      curiosity = excluded.curiosity, socialBattery = excluded.socialBattery, updatedAt = excluded.updatedAt`)
  const find = (personaId: string): EmotionalState | null => {
    const row = findOne.get(personaId)
    return row === undefined ? null : { ...row, updatedAt: Date.parse(row.updatedAt) }
  }
  const change = sqlite.transaction((personaId: string, next: (current: EmotionalState | null) => EmotionalState) => {
    const state = next(find(personaId))
    upsert.run({
      personaId, mood: state.mood, energyLevel: state.energyLevel, stressLevel: state.stressLevel,
      curiosity: state.curiosity, socialBattery: state.socialBattery, updatedAt: toSqlTime(state.updatedAt),
    })
    return state
  })

  return {
    find: async (personaId) => find(personaId),
    change: async (personaId, delta) => change.immediate(personaId, (current) => applyEmotionChange(current, delta)),
  }
}
