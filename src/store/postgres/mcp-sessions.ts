import type { McpSessionRecord, McpSessionRepository } from '../../mcp/repository.ts'
import type { PostgresDatabase } from './database.ts'

const COLUMNS = 'id, "userId", "protocolVersion", capabilities, "clientInfo", "personaSessionId", subscriptions, "logLevel", "createdAt", "lastSeenAt"'
// pg would send a Date in the process's local zone; the columns are TIMESTAMP(3) in UTC, so ISO text (its zone is ignored)
const utc = (at: Date) => at.toISOString()

/**
 * MCP HTTP sessions shared by the instances: every request on a session touches its row (that is how an
 * instance learns of a DELETE, an expiry or a persona switch elsewhere), so prepared statements.
 */
export function createPostgresMcpSessionRepository ({ pool }: PostgresDatabase): McpSessionRepository {
  const run = async (name: string, text: string, values: unknown[]) => await pool.query({ name, text, values })

  return {
    async save (r) {
      await run('mcp-session-save', `INSERT INTO "McpSession" (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (id) DO UPDATE SET "userId" = $2, "protocolVersion" = $3, capabilities = $4, "clientInfo" = $5, "personaSessionId" = $6,
          subscriptions = $7, "logLevel" = $8, "createdAt" = $9, "lastSeenAt" = $10`,
      [r.id, r.userId, r.protocolVersion, JSON.stringify(r.capabilities), JSON.stringify(r.clientInfo), r.personaSessionId,
        JSON.stringify(r.subscriptions), r.logLevel, utc(r.createdAt), utc(r.lastSeenAt)])
    },
    async find (id) {
      const { rows } = await pool.query<McpSessionRecord>({ name: 'mcp-session-find', text: `SELECT ${COLUMNS} FROM "McpSession" WHERE id = $1`, values: [id] })
      return rows[0] ?? null
    },
    async touch (id, at, cutoff) {
      const { rowCount } = await run('mcp-session-touch',
        'UPDATE "McpSession" SET "lastSeenAt" = GREATEST("lastSeenAt", $2) WHERE id = $1 AND "lastSeenAt" >= $3', [id, utc(at), utc(cutoff)])
      return rowCount === 1
    },
    async touchAndRead (id, at, cutoff) {
      // the touch of every request, answering with the persona session's current persona and its thread's
      // turns (lookups by primary key and by the unique (sessionId, personaId))
      const { rows } = await pool.query<{ personaSessionId: string | null, stored: boolean, currentPersonaId: string | null, turnCount: number | null }>({
        name: 'mcp-session-touch-read',
        text: `UPDATE "McpSession" m SET "lastSeenAt" = GREATEST(m."lastSeenAt", $2) WHERE m.id = $1 AND m."lastSeenAt" >= $3
          RETURNING m."personaSessionId", EXISTS (SELECT 1 FROM "Session" s WHERE s.id = m."personaSessionId") AS stored,
            (SELECT s."currentPersonaId" FROM "Session" s WHERE s.id = m."personaSessionId") AS "currentPersonaId",
            (SELECT c."turnCount" FROM "Session" s JOIN "Conversation" c ON c."sessionId" = s.id AND c."personaId" = s."currentPersonaId"
              WHERE s.id = m."personaSessionId") AS "turnCount"`,
        values: [id, utc(at), utc(cutoff)],
      })
      const row = rows[0]
      return row === undefined
        ? null
        : { personaSessionId: row.personaSessionId, currentPersonaId: row.stored ? row.currentPersonaId : undefined, turnCount: row.turnCount ?? undefined }
    },
    async subscribe (id, uri, max) {
      // one row update, so instances subscribing the session at once queue on its row lock and each appends to
      // what the one before wrote (a refusal or a repeat writes the list back unchanged); RETURNING reads that
      // row version, so a URI another instance added a moment ago counts as there
      const { rows } = await pool.query<{ subscribed: boolean }>({
        name: 'mcp-session-subscribe',
        text: `UPDATE "McpSession" SET subscriptions = CASE WHEN subscriptions ? $2 OR jsonb_array_length(subscriptions) >= $3 THEN subscriptions
            ELSE subscriptions || to_jsonb($2::text) END
          WHERE id = $1 RETURNING subscriptions ? $2 AS subscribed`,
        values: [id, uri, max],
      })
      return rows[0]?.subscribed ?? false
    },
    async unsubscribe (id, uri) {
      // jsonb - text drops the string elements equal to it, keeping the others' order
      await run('mcp-session-unsubscribe', 'UPDATE "McpSession" SET subscriptions = subscriptions - $2::text WHERE id = $1 AND subscriptions ? $2', [id, uri])
    },
    async setLogLevel (id, level) { await run('mcp-session-set-log-level', 'UPDATE "McpSession" SET "logLevel" = $2 WHERE id = $1', [id, level]) },
    async setPersonaSession (id, personaSessionId) {
      await run('mcp-session-set-persona-session', 'UPDATE "McpSession" SET "personaSessionId" = $2 WHERE id = $1', [id, personaSessionId])
    },
    async delete (id) { await run('mcp-session-delete', 'DELETE FROM "McpSession" WHERE id = $1', [id]) },
    async liveOf (userId, cutoff) {
      const { rows } = await pool.query<{ id: string, lastSeenAt: Date }>({
        name: 'mcp-session-live-of', text: 'SELECT id, "lastSeenAt" FROM "McpSession" WHERE "userId" = $1 AND "lastSeenAt" >= $2 ORDER BY "lastSeenAt", id COLLATE "C"', values: [userId, utc(cutoff)],
      })
      return rows
    },
    async deleteIdleBefore (cutoff) {
      return (await run('mcp-session-delete-idle', 'DELETE FROM "McpSession" WHERE "lastSeenAt" < $1', [utc(cutoff)])).rowCount ?? 0
    },
  }
}
