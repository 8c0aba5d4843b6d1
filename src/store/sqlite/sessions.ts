import type { Prisma } from '../../generated/prisma/client.ts'
import type { SessionListFilter, SessionListing, SessionRepository, SessionSnapshot, StoredSession } from '../../sessions/repository.ts'
import type { SqliteDatabase } from './database.ts'
import { toSqlTime } from './sql-time.ts'

interface SessionRow { id: string, userId: string, currentPersonaId: string | null, createdAt: string, lastActivityAt: string }

const toSession = (row: SessionRow): StoredSession => ({
  id: row.id,
  userId: row.userId,
  currentPersonaId: row.currentPersonaId,
  createdAt: new Date(row.createdAt),
  lastActivityAt: new Date(row.lastActivityAt),
})

type ListingRow = Prisma.SessionGetPayload<{ include: { _count: { select: { conversations: true } } } }>
const withCount = { _count: { select: { conversations: true } } } as const

const toListing = (row: ListingRow): SessionListing => ({
  id: row.id,
  userId: row.userId,
  currentPersonaId: row.currentPersonaId,
  createdAt: row.createdAt,
  lastActivityAt: row.lastActivityAt,
  hasSnapshot: row.snapshot !== null,
  conversationCount: row._count.conversations,
})

/** Sessions: prepared statements for what every connection does (save, touch, get_info), Prisma for the operator's lists. */
export function createSqliteSessionRepository ({ prisma, sqlite }: SqliteDatabase): SessionRepository {
  const save = sqlite.prepare(`INSERT INTO Session (id, userId, currentPersonaId, createdAt, lastActivityAt) VALUES (@id, @userId, @personaId, @at, @at)
    ON CONFLICT (id) DO UPDATE SET currentPersonaId = excluded.currentPersonaId`)
  const setPersona = sqlite.prepare('UPDATE Session SET currentPersonaId = ?, lastActivityAt = ? WHERE id = ?')
  const touch = sqlite.prepare('UPDATE Session SET lastActivityAt = ? WHERE id = ?')
  const byId = sqlite.prepare<[string], SessionRow>('SELECT id, userId, currentPersonaId, createdAt, lastActivityAt FROM Session WHERE id = ?')
  const saveSnapshot = sqlite.prepare('UPDATE Session SET snapshot = ? WHERE id = ?')
  const snapshotOf = sqlite.prepare<[string], string | null>('SELECT snapshot FROM Session WHERE id = ?').pluck()
  const idle = sqlite.prepare<[string], string>('SELECT id FROM Session WHERE lastActivityAt < ?').pluck()

  return {
    async save ({ id, userId, personaId }, at) { save.run({ id, userId, personaId, at: toSqlTime(at.getTime()) }) },
    async setPersona (id, personaId, at) { setPersona.run(personaId, toSqlTime(at.getTime()), id) },
    async touch (id, at) { touch.run(toSqlTime(at.getTime()), id) },
    async findById (id) {
      const row = byId.get(id)
      return row === undefined ? undefined : toSession(row)
    },
    async saveSnapshot (id, snapshot) { saveSnapshot.run(JSON.stringify(snapshot), id) },
    async findSnapshot (id) {
      const text = snapshotOf.get(id)
      return typeof text === 'string' ? JSON.parse(text) as SessionSnapshot : undefined
    },
    // ISO text with one offset compares in time order
    async idleSince (cutoff) { return idle.all(toSqlTime(cutoff.getTime())) },

    async deleteWithTranscripts (ids) {
      if (ids.length === 0) return { conversations: 0, messages: 0 }
      const [messages, conversations] = await prisma.$transaction([
        prisma.message.count({ where: { conversation: { sessionId: { in: ids } } } }),
        prisma.conversation.count({ where: { sessionId: { in: ids } } }),
        // conversations and messages go with them (onDelete: Cascade)
        prisma.session.deleteMany({ where: { id: { in: ids } } }),
      ])
      return { conversations, messages }
    },

    async list ({ userId, currentPersonaId, limit, offset }: SessionListFilter) {
      const where = { ...(userId === undefined ? {} : { userId }), ...(currentPersonaId === undefined ? {} : { currentPersonaId }) }
      const [rows, total] = await Promise.all([
        prisma.session.findMany({ where, orderBy: [{ lastActivityAt: 'desc' }, { id: 'asc' }], skip: offset, take: limit, include: withCount }),
        prisma.session.count({ where }),
      ])
      return { items: rows.map(toListing), total }
    },
    async findListing (id) {
      const row = await prisma.session.findUnique({ where: { id }, include: withCount })
      return row === null ? undefined : toListing(row)
    },
    async threadsOf (id) {
      const rows = await prisma.conversation.findMany({ where: { sessionId: id }, orderBy: { lastActivityAt: 'desc' } })
      return rows.map((c) => ({ id: c.id, personaId: c.personaId, turnCount: c.turnCount, lastActivityAt: c.lastActivityAt }))
    },
  }
}
