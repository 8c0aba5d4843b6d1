import type { CardRepository } from '../../cards/repository.ts'
import type { CardExtras } from '../../cards/export.ts'
import type { SqliteDatabase } from './database.ts'

// The card columns of Persona (cardExtras, avatar, avatarMime), and the recent messages a lorebook scans.
// Prepared statements: the extras and the recent texts are read on every chat turn with a card persona.

export function createSqliteCardRepository ({ sqlite }: SqliteDatabase): CardRepository {
  const readExtras = sqlite.prepare<[string], { cardExtras: string | null }>('SELECT cardExtras FROM Persona WHERE id = ?')
  const readAvatar = sqlite.prepare<[string], { avatar: Buffer | null, avatarMime: string | null }>('SELECT avatar, avatarMime FROM Persona WHERE id = ?')
  const write = sqlite.prepare('UPDATE Persona SET cardExtras = ?, avatar = ?, avatarMime = ? WHERE id = ?')
  const recent = sqlite.prepare<[string, number], { content: string }>(
    'SELECT content FROM Message WHERE conversationId = ? ORDER BY turnNumber DESC, createdAt DESC LIMIT ?')
  return {
    async extras (personaId) {
      const row = readExtras.get(personaId)
      return row?.cardExtras ? JSON.parse(row.cardExtras) as CardExtras : undefined
    },
    async avatar (personaId) {
      const row = readAvatar.get(personaId)
      return row?.avatar && row.avatarMime ? { bytes: Buffer.from(row.avatar), mime: row.avatarMime } : undefined
    },
    async save (personaId, extras, avatar) {
      write.run(JSON.stringify(extras), avatar?.bytes ?? null, avatar?.mime ?? null, personaId)
    },
    async recentTexts (conversationId, limit) {
      return recent.all(conversationId, limit).map((r) => r.content).reverse()
    },
  }
}
