import type { McpTaskChange, McpTaskRecord, McpTaskRepository } from '../../mcp/repository.ts'
import type { PostgresDatabase } from './database.ts'

const COLUMNS = '"taskId", "sessionId", status, "statusMessage", ttl, "pollInterval", "createdAt", "lastUpdatedAt", result, "heldUntil"'
const ENDED = "('completed', 'failed', 'cancelled')"
// a change of a task (changeValues from parameter $n on): its status, message and result, when it was made, and its ttl counted from then
const change = (n: number) => `status = $${n}, "statusMessage" = COALESCE($${n + 1}::text, "statusMessage"), result = COALESCE($${n + 2}::jsonb, result),
  "lastUpdatedAt" = $${n + 3}::timestamp(3), "expiresAt" = $${n + 3}::timestamp(3) + ttl * interval '1 millisecond'`
// pg would send a Date in the process's local zone; the columns are TIMESTAMP(3) in UTC, so ISO text (its zone is ignored)
const utc = (at: Date) => at.toISOString()
// taskId in byte order (as SQLite's BINARY), whatever the database's collation
const ORDER = 'ORDER BY "createdAt", "taskId" COLLATE "C"'

/**
 * The tasks of MCP HTTP sessions (McpTask), shared by the instances: a client polls tasks/get on any of them,
 * so prepared statements; a task ends once, whichever instance stores its result or cancels it first.
 */
const changeValues = (change: McpTaskChange, at: Date) =>
  [change.status, change.statusMessage ?? null, change.result === undefined ? null : JSON.stringify(change.result), utc(at)]

export function createPostgresMcpTaskRepository ({ pool }: PostgresDatabase): McpTaskRepository {
  const rowsOf = async (name: string, text: string, values: unknown[]) => (await pool.query<McpTaskRecord>({ name, text, values })).rows

  return {
    async create (r) {
      await pool.query({
        name: 'mcp-task-create',
        text: `INSERT INTO "McpTask" (${COLUMNS}, "expiresAt") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        values: [r.taskId, r.sessionId, r.status, r.statusMessage, r.ttl, r.pollInterval, utc(r.createdAt), utc(r.lastUpdatedAt),
          r.result === null ? null : JSON.stringify(r.result), r.heldUntil === null ? null : utc(r.heldUntil),
          r.ttl === null ? null : utc(new Date(r.createdAt.getTime() + r.ttl))],
      })
    },
    async find (taskId, sessionId) {
      return (await rowsOf('mcp-task-find', `SELECT ${COLUMNS} FROM "McpTask" WHERE "taskId" = $1 AND "sessionId" = $2`, [taskId, sessionId]))[0] ?? null
    },
    async transition (taskId, sessionId, next, at) {
      // one row UPDATE: a second writer waits on the row lock, then re-reads the row the first wrote (READ
      // COMMITTED) and, the task ended, matches nothing
      const { rowCount } = await pool.query({
        name: 'mcp-task-transition',
        text: `UPDATE "McpTask" SET ${change(3)} WHERE "taskId" = $1 AND "sessionId" = $2 AND status NOT IN ${ENDED}`,
        values: [taskId, sessionId, ...changeValues(next, at)],
      })
      return rowCount === 1
    },
    async list (sessionId, after, limit) {
      if (after === undefined) {
        return await rowsOf('mcp-task-list', `SELECT ${COLUMNS} FROM "McpTask" WHERE "sessionId" = $1 ${ORDER} LIMIT $2`, [sessionId, limit])
      }
      // the cursor's task and the page after it in one statement (one snapshot): no row when the cursor names
      // no task of the session, one row of nulls when it names the last
      const rows = await rowsOf('mcp-task-list-after', `WITH c AS (SELECT "createdAt", "taskId" FROM "McpTask" WHERE "taskId" = $2 AND "sessionId" = $1)
        SELECT p.* FROM c LEFT JOIN LATERAL (
          SELECT ${COLUMNS} FROM "McpTask" t WHERE t."sessionId" = $1
            AND (t."createdAt", t."taskId" COLLATE "C") > (c."createdAt", c."taskId" COLLATE "C") ${ORDER} LIMIT $3) p ON true
        ORDER BY p."createdAt", p."taskId" COLLATE "C"`, [sessionId, after, limit])
      return rows.length === 0 ? null : rows.filter((r) => r.taskId !== null)
    },
    async renew (taskIds, until) {
      if (taskIds.length === 0) return
      await pool.query({ name: 'mcp-task-renew', text: `UPDATE "McpTask" SET "heldUntil" = $2 WHERE "taskId" = ANY($1::text[]) AND status NOT IN ${ENDED}`, values: [taskIds, utc(until)] })
    },
    async failAbandoned (now, end) {
      const { rowCount } = await pool.query({
        name: 'mcp-task-fail-abandoned',
        text: `UPDATE "McpTask" SET ${change(1)} WHERE "heldUntil" < $4::timestamp(3) AND status NOT IN ${ENDED}`,
        values: changeValues(end, now),
      })
      return rowCount ?? 0
    },
    async deleteExpired (now) {
      return (await pool.query({ name: 'mcp-task-delete-expired', text: 'DELETE FROM "McpTask" WHERE "expiresAt" < $1', values: [utc(now)] })).rowCount ?? 0
    },
  }
}
