import { applyEmotionChange, type EmotionalState, type EmotionChange } from '../../relationships/emotions.ts'
import type { EmotionRepository } from '../../relationships/repository.ts'
import type { PostgresDatabase } from './database.ts'
import { inTransaction } from './transaction.ts'

type EmotionRow = Omit<EmotionalState, 'updatedAt'> & { updatedAt: Date }

const COLUMNS = 'mood, "energyLevel", "stressLevel", curiosity, "socialBattery", "updatedAt"'
const FIND = `SELECT ${COLUMNS} FROM "EmotionalState" WHERE "personaId" = $1`
const LOCK = `${FIND} FOR UPDATE`
const UPDATE = `UPDATE "EmotionalState" SET mood = $2, "energyLevel" = $3, "stressLevel" = $4, curiosity = $5, "socialBattery" = $6,
  "updatedAt" = $7::timestamp WHERE "personaId" = $1`
// the change computed from the state this instance knows, written only over exactly that state: another
// instance's write in between makes it change nothing, and the change is made again under the row's lock
const UPDATE_KNOWN = `${UPDATE} AND mood = $8 AND "energyLevel" = $9 AND "stressLevel" = $10 AND curiosity = $11 AND "socialBattery" = $12
  AND "updatedAt" = $13::timestamp`
// a first change races another instance's first change: the loser finds the row and locks it instead
const INSERT = `INSERT INTO "EmotionalState" ("personaId", ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::timestamp)
  ON CONFLICT ("personaId") DO NOTHING`

const fromRow = (row: EmotionRow): EmotionalState => ({ ...row, updatedAt: row.updatedAt.getTime() })
// ISO text: pg would send a Date in the process's local zone, the column is TIMESTAMP(3) in UTC
const params = (personaId: string, s: EmotionalState) =>
  [personaId, s.mood, s.energyLevel, s.stressLevel, s.curiosity, s.socialBattery, new Date(s.updatedAt).toISOString()]

/**
 * Personas' moods, one row each; moods move with every chat turn, so prepared statements. A change from a
 * known state is one conditional UPDATE; otherwise (or when the row moved on) it reads the row FOR UPDATE
 * and writes it in one transaction: instances changing one mood at once queue on the row.
 */
export function createPostgresEmotionRepository ({ pool }: PostgresDatabase): EmotionRepository {
  return {
    async find (personaId) {
      const [row] = (await pool.query<EmotionRow>({ name: 'emotion-find', text: FIND, values: [personaId] })).rows
      return row === undefined ? null : fromRow(row)
    },
    async change (personaId, change, known) {
      if (known !== undefined) {
        const next = applyEmotionChange(known, change)
        const { rowCount } = await pool.query({ name: 'emotion-update-known', text: UPDATE_KNOWN, values: [...params(personaId, next), ...params(personaId, known).slice(1)] })
        if (rowCount === 1) return next
      }
      return await locked(personaId, change)
    },
  }

  /** reads the row under its lock, and writes the change over it (or the first row) */
  async function locked (personaId: string, change: EmotionChange): Promise<EmotionalState> {
    return await inTransaction(pool, async (client) => {
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
    })
  }
}
