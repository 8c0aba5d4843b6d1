import { applyEmotionChange, type EmotionalState } from '../../relationships/emotions.ts'
import type { EmotionRepository } from '../../relationships/repository.ts'
import type { PostgresDatabase } from './database.ts'
import { inTransaction } from './transaction.ts'

type EmotionRow = Omit<EmotionalState, 'updatedAt'> & { updatedAt: Date }

const COLUMNS = 'mood, "energyLevel", "stressLevel", curiosity, "socialBattery", "updatedAt"'
const FIND = `SELECT ${COLUMNS} FROM "EmotionalState" WHERE "personaId" = $1`
const LOCK = `${FIND} FOR UPDATE`
const UPDATE = `UPDATE "EmotionalState" SET mood = $2, "energyLevel" = $3, "stressLevel" = $4, curiosity = $5, "socialBattery" = $6,
  "updatedAt" = $7::timestamp WHERE "personaId" = $1`
// a first change races another instance's first change: the loser finds the row and locks it instead
const INSERT = `INSERT INTO "EmotionalState" ("personaId", ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::timestamp)
  ON CONFLICT ("personaId") DO NOTHING`

const fromRow = (row: EmotionRow): EmotionalState => ({ ...row, updatedAt: row.updatedAt.getTime() })
// ISO text: pg would send a Date in the process's local zone, the column is TIMESTAMP(3) in UTC
const params = (personaId: string, s: EmotionalState) =>
  [personaId, s.mood, s.energyLevel, s.stressLevel, s.curiosity, s.socialBattery, new Date(s.updatedAt).toISOString()]

/**
 * Personas' moods, one row each; moods move with every chat turn, so prepared statements. A change reads
 * the row FOR UPDATE and writes it in one transaction: instances changing one mood at once queue on the row.
 */
export function createPostgresEmotionRepository ({ pool }: PostgresDatabase): EmotionRepository {
  return {
    async find (personaId) {
      const [row] = (await pool.query<EmotionRow>({ name: 'emotion-find', text: FIND, values: [personaId] })).rows
      return row === undefined ? null : fromRow(row)
    },
    change: async (personaId, change) => await inTransaction(pool, async (client) => {
      for (;;) {
        const [row] = (await client.query<EmotionRow>({ name: 'emotion-lock', text: LOCK, values: [personaId] })).rows
        const next = applyEmotionChange(row === undefined ? null : fromRow(row), change)
        if (row !== undefined) {
          await client.query({ name: 'emotion-update', text: UPDATE, values: params(personaId, next) })
          return next
        }
        const { rowCount } = await client.query({ name: 'emotion-insert', text: INSERT, values: params(personaId, next) })
        if (rowCount === 1) return next
      }
    }),
  }
}
