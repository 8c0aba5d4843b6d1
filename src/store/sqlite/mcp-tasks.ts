import type { McpTaskChange, McpTaskRecord, McpTaskRepository, McpTaskStatus } from '../../mcp/repository.ts'
import type { SqliteDatabase } from './database.ts'
import { toSqlTime } from './sql-time.ts'

interface Row {
  taskId: string, sessionId: string, status: McpTaskStatus, statusMessage: string | null, ttl: number | null, pollInterval: number | null,
  createdAt: string, lastUpdatedAt: string, result: string | null, heldUntil: string | null
}

const COLUMNS = 'taskId, sessionId, status, statusMessage, ttl, pollInterval, createdAt, lastUpdatedAt, result, heldUntil'
const ENDED = "('completed', 'failed', 'cancelled')"
const toRecord = (row: Row): McpTaskRecord => ({
  ...row, createdAt: new Date(row.createdAt), lastUpdatedAt: new Date(row.lastUpdatedAt), result: row.result === null ? null : JSON.parse(row.result),
  heldUntil: row.heldUntil === null ? null : new Date(row.heldUntil),
})
const time = (at: Date) => toSqlTime(at.getTime())
// toSqlTime's text (ISO, milliseconds, '+00:00') of epoch ms computed in SQL: 'unixepoch' keeps whole milliseconds,
// so expiresAt compares as text with the times written from JS
const sqlTimeOf = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%f+00:00', (${ms}) / 1000.0, 'unixepoch')`

interface ChangeParams { status: string, statusMessage: string | null, result: string | null, at: string, atMs: number }
const changeParams = (change: McpTaskChange, at: Date): ChangeParams => ({
  status: change.status, statusMessage: change.statusMessage ?? null, result: change.result === undefined ? null : JSON.stringify(change.result), at: time(at), atMs: at.getTime(),
})

/** The tasks of MCP HTTP sessions (McpTask): polled by the session's client, so prepared statements. */
export function createSqliteMcpTaskRepository ({ sqlite }: SqliteDatabase): McpTaskRepository {
  const create = sqlite.prepare<Row & { expiresAt: string | null }>(`INSERT INTO McpTask (${COLUMNS}, expiresAt)
    VALUES (@taskId, @sessionId, @status, @statusMessage, @ttl, @pollInterval, @createdAt, @lastUpdatedAt, @result, @heldUntil, @expiresAt)`)
  const find = sqlite.prepare<[string, string], Row>(`SELECT ${COLUMNS} FROM McpTask WHERE taskId = ? AND sessionId = ?`)
  // one statement: of two writers the second finds the task ended and changes nothing
  const CHANGE = `status = @status, statusMessage = coalesce(@statusMessage, statusMessage), result = coalesce(@result, result),
    lastUpdatedAt = @at, expiresAt = CASE WHEN ttl IS NULL THEN NULL ELSE ${sqlTimeOf('@atMs + ttl')} END`
  const transition = sqlite.prepare<ChangeParams & { taskId: string, sessionId: string }>(
    `UPDATE McpTask SET ${CHANGE} WHERE taskId = @taskId AND sessionId = @sessionId AND status NOT IN ${ENDED}`)
  const renew = sqlite.prepare<[string, string]>(`UPDATE McpTask SET heldUntil = ? WHERE taskId = ? AND status NOT IN ${ENDED}`)
  const renewAll = sqlite.transaction((taskIds: string[], until: string) => { for (const id of taskIds) renew.run(until, id) })
  const failAbandoned = sqlite.prepare<ChangeParams>(`UPDATE McpTask SET ${CHANGE} WHERE heldUntil < @at AND status NOT IN ${ENDED}`)
  const cursor = sqlite.prepare<[string, string], { createdAt: string, taskId: string }>(
    'SELECT createdAt, taskId FROM McpTask WHERE taskId = ? AND sessionId = ?')
  // the same text format throughout, so text order is time order; taskId compares as bytes (BINARY), as on PostgreSQL (COLLATE "C")
  const first = sqlite.prepare<[string, number], Row>(`SELECT ${COLUMNS} FROM McpTask WHERE sessionId = ? ORDER BY createdAt, taskId LIMIT ?`)
  const after = sqlite.prepare<{ sessionId: string, createdAt: string, taskId: string, limit: number }, Row>(`SELECT ${COLUMNS} FROM McpTask
    WHERE sessionId = @sessionId AND (createdAt > @createdAt OR (createdAt = @createdAt AND taskId > @taskId)) ORDER BY createdAt, taskId LIMIT @limit`)
  const removeExpired = sqlite.prepare<[string]>('DELETE FROM McpTask WHERE expiresAt < ?')

  return {
    async create (r) {
      create.run({
        ...r, createdAt: time(r.createdAt), lastUpdatedAt: time(r.lastUpdatedAt), result: r.result === null ? null : JSON.stringify(r.result),
        heldUntil: r.heldUntil === null ? null : time(r.heldUntil),
        expiresAt: r.ttl === null ? null : toSqlTime(r.createdAt.getTime() + r.ttl),
      })
    },
    async find (taskId, sessionId) { const row = find.get(taskId, sessionId); return row === undefined ? null : toRecord(row) },
    async transition (taskId, sessionId, change, at) { return transition.run({ taskId, sessionId, ...changeParams(change, at) }).changes === 1 },
    async renew (taskIds, until) { renewAll(taskIds, time(until)) },
    async failAbandoned (now, change) { return failAbandoned.run(changeParams(change, now)).changes },
    async list (sessionId, afterId, limit) {
      if (afterId === undefined) return first.all(sessionId, limit).map(toRecord)
      const from = cursor.get(afterId, sessionId)
      return from === undefined ? null : after.all({ sessionId, ...from, limit }).map(toRecord)
    },
    async deleteExpired (now) { return removeExpired.run(time(now)).changes },
  }
}
