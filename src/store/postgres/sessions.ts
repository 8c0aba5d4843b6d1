import type { SessionListing, SessionRepository, SessionSnapshot, StoredSession } from '../../sessions/repository.ts'
import type { PostgresDatabase } from './database.ts'
import { inTransaction } from './transaction.ts'

const SESSION_COLUMNS = 's.id, s."userId", s."currentPersonaId", s."createdAt", s."lastActivityAt"'
const LISTING_COLUMNS = `${SESSION_COLUMNS}, s.snapshot IS NOT NULL AS "hasSnapshot",
  (SELECT count(*) FROM "Conversation" c WHERE c."sessionId" = s.id) AS "conversationCount"`
// an absent filter is a NULL parameter, so each statement is prepared once
const LIST_WHERE = '($1::text IS NULL OR s."userId" = $1) AND ($2::text IS NULL OR s."currentPersonaId" = $2)'

type ListingRow = Omit<SessionListing, 'conversationCount'> & { conversationCount: string }
const toListing = (row: ListingRow): SessionListing => ({ ...row, conversationCount: Number(row.conversationCount) })

/** Sessions: prepared statements for what every connection does (save, touch, get_info) and for the operator's lists. */
export function createPostgresSessionRepository ({ pool }: PostgresDatabase): SessionRepository {
  return {
    async save ({ id, userId, personaId }, at) {
      await pool.query({
        name: 'session-save',
        text: `INSERT INTO "Session" (id, "userId", "currentPersonaId", "createdAt", "lastActivityAt") VALUES ($1, $2, $3, $4::timestamp, $4::timestamp)
          ON CONFLICT (id) DO UPDATE SET "currentPersonaId" = EXCLUDED."currentPersonaId"`,
        values: [id, userId, personaId, at.toISOString()],
      })
    },
    async setPersona (id, personaId, at) {
      await pool.query({ name: 'session-set-persona', text: 'UPDATE "Session" SET "currentPersonaId" = $2, "lastActivityAt" = $3::timestamp WHERE id = $1', values: [id, personaId, at.toISOString()] })
    },
    async touch (id, at) {
      await pool.query({ name: 'session-touch', text: 'UPDATE "Session" SET "lastActivityAt" = $2::timestamp WHERE id = $1', values: [id, at.toISOString()] })
    },
    async findById (id) {
      const { rows } = await pool.query<StoredSession>({ name: 'session-by-id', text: `SELECT ${SESSION_COLUMNS} FROM "Session" s WHERE s.id = $1`, values: [id] })
      return rows[0]
    },
    async saveSnapshot (id, snapshot) {
      await pool.query({ name: 'session-save-snapshot', text: 'UPDATE "Session" SET snapshot = $2::jsonb WHERE id = $1', values: [id, JSON.stringify(snapshot)] })
    },
    async findSnapshot (id) {
      const { rows } = await pool.query<{ snapshot: SessionSnapshot | null }>({ name: 'session-snapshot', text: 'SELECT snapshot FROM "Session" WHERE id = $1', values: [id] })
      return rows[0]?.snapshot ?? undefined
    },
    async idleSince (cutoff) {
      const { rows } = await pool.query<{ id: string }>({ name: 'session-idle', text: 'SELECT id FROM "Session" WHERE "lastActivityAt" < $1::timestamp', values: [cutoff.toISOString()] })
      return rows.map((r) => r.id)
    },

    async deleteWithTranscripts (ids) {
      if (ids.length === 0) return { conversations: 0, messages: 0 }
      // the threads locked first: a turn another instance is appending is counted among what went, or refused after
      return await inTransaction(pool, async (c) => {
        const threads = await c.query<{ id: string }>('SELECT id FROM "Conversation" WHERE "sessionId" = ANY($1::text[]) FOR UPDATE', [ids])
        const messages = await c.query('DELETE FROM "Message" WHERE "conversationId" = ANY($1::text[])', [threads.rows.map((r) => r.id)])
        // conversations go with them (ON DELETE CASCADE)
        await c.query('DELETE FROM "Session" WHERE id = ANY($1::text[])', [ids])
        return { conversations: threads.rowCount ?? 0, messages: messages.rowCount ?? 0 }
      })
    },

    async list ({ userId, currentPersonaId, limit, offset }) {
      const filter = [userId ?? null, currentPersonaId ?? null]
      const [page, count] = await Promise.all([
        // ids in byte order (COLLATE "C"), as SQLite sorts them, whatever the database's collation
        pool.query<ListingRow>({
          name: 'session-list-page',
          text: `SELECT ${LISTING_COLUMNS} FROM "Session" s WHERE ${LIST_WHERE} ORDER BY s."lastActivityAt" DESC, s.id COLLATE "C" ASC LIMIT $3 OFFSET $4`,
          values: [...filter, limit, offset],
        }),
        pool.query<{ n: string }>({ name: 'session-list-count', text: `SELECT count(*) AS n FROM "Session" s WHERE ${LIST_WHERE}`, values: filter }),
      ])
      return { items: page.rows.map(toListing), total: Number(count.rows[0]?.n ?? 0) }
    },
    async findListing (id) {
      const { rows } = await pool.query<ListingRow>({ name: 'session-listing', text: `SELECT ${LISTING_COLUMNS} FROM "Session" s WHERE s.id = $1`, values: [id] })
      return rows[0] === undefined ? undefined : toListing(rows[0])
    },
    async threadsOf (id) {
      const { rows } = await pool.query({
        name: 'session-threads',
        text: 'SELECT id, "personaId", "turnCount", "lastActivityAt" FROM "Conversation" WHERE "sessionId" = $1 ORDER BY "lastActivityAt" DESC',
        values: [id],
      })
      return rows
    },
  }
}
