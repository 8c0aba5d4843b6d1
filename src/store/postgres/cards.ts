import type { CardRepository } from '../../cards/repository.ts'
import type { CardExtras } from '../../cards/export.ts'
import type { PostgresDatabase } from './database.ts'

// The card columns of Persona (cardExtras, avatar, avatarMime), and the recent messages a lorebook scans.
// Prepared statements: the extras and the recent texts are read on every chat turn with a card persona.
// Mirrors src/store/sqlite/cards.ts.

const EXTRAS = { name: 'card-extras', text: 'SELECT "cardExtras" FROM "Persona" WHERE id = $1' }
const AVATAR = { name: 'card-avatar', text: 'SELECT avatar, "avatarMime" FROM "Persona" WHERE id = $1' }
const SAVE = { name: 'card-save', text: 'UPDATE "Persona" SET "cardExtras" = $1::jsonb, avatar = $2, "avatarMime" = $3 WHERE id = $4' }
const RECENT = {
  name: 'card-recent-texts',
  text: 'SELECT content FROM "Message" WHERE "conversationId" = $1 ORDER BY "turnNumber" DESC, "createdAt" DESC LIMIT $2',
}

export function createPostgresCardRepository ({ pool }: PostgresDatabase): CardRepository {
  return {
    async extras (personaId) {
      const { rows } = await pool.query<{ cardExtras: CardExtras | null }>({ ...EXTRAS, values: [personaId] })
      return rows[0]?.cardExtras ?? undefined
    },
    async avatar (personaId) {
      const { rows } = await pool.query<{ avatar: Buffer | null, avatarMime: string | null }>({ ...AVATAR, values: [personaId] })
      const row = rows[0]
      return row?.avatar && row.avatarMime ? { bytes: row.avatar, mime: row.avatarMime } : undefined
    },
    async save (personaId, extras, avatar) {
      await pool.query({ ...SAVE, values: [JSON.stringify(extras), avatar?.bytes ?? null, avatar?.mime ?? null, personaId] })
    },
    async recentTexts (conversationId, limit) {
      const { rows } = await pool.query<{ content: string }>({ ...RECENT, values: [conversationId, limit] })
      return rows.map((r) => r.content).reverse()
    },
  }
}
