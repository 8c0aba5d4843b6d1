import type { Avatar } from './assets.ts'
import type { CardExtras } from './export.ts'

// What the card service needs from a database: the card columns of a persona (extras and avatar), and
// the texts a lorebook scan reads. Implementations live in src/store/<database>/cards.ts.

export interface CardRepository {
  /** the card fields of an imported persona; undefined for personas that came from no card */
  extras (personaId: string): Promise<CardExtras | undefined>
  avatar (personaId: string): Promise<Avatar | undefined>
  /** stores what a card brought beside the persona's own fields */
  save (personaId: string, extras: CardExtras, avatar: Avatar | undefined): Promise<void>
  /** the last `limit` message texts of a conversation, oldest first (a lorebook scans them for its keys) */
  recentTexts (conversationId: string, limit: number): Promise<string[]>
}
