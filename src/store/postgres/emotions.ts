import type { EmotionalState } from '../../relationships/emotions.ts'
import type { EmotionRepository } from '../../relationships/repository.ts'
import type { PostgresDatabase } from './database.ts'

type EmotionRow = Omit<EmotionalState, 'updatedAt'> & { updatedAt: Date }

const FIND = 'SELECT mood, "energyLevel", "stressLevel", curiosity, "socialBattery", "updatedAt" FROM "EmotionalState" WHERE "personaId" = $1'
// the port stores a whole state as given (the service computes it), so the last save wins, as on SQLite
const UPSERT = `INSERT INTO "EmotionalState" ("personaId", mood, "energyLevel", "stressLevel", curiosity, "socialBattery", "updatedAt")
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT ("personaId") DO UPDATE SET mood = EXCLUDED.mood, "energyLevel" = EXCLUDED."energyLevel", "stressLevel" = EXCLUDED."stressLevel",
    curiosity = EXCLUDED.curiosity, "socialBattery" = EXCLUDED."socialBattery", "updatedAt" = EXCLUDED."updatedAt"`

/** Personas' moods, one row each; moods move with every chat turn, so prepared statements. */
export function createPostgresEmotionRepository ({ pool }: PostgresDatabase): EmotionRepository {
  return {
    async find (personaId) {
      const [row] = (await pool.query<EmotionRow>({ name: 'emotion-find', text: FIND, values: [personaId] })).rows
      return row === undefined ? null : { ...row, updatedAt: row.updatedAt.getTime() }
    },
    async save (personaId, state) {
      // ISO text: pg would send a Date in the process's local zone, the column is TIMESTAMP(3) in UTC
      await pool.query({
        name: 'emotion-save',
        text: UPSERT,
        values: [personaId, state.mood, state.energyLevel, state.stressLevel, state.curiosity, state.socialBattery, new Date(state.updatedAt).toISOString()],
      })
    },
  }
}
