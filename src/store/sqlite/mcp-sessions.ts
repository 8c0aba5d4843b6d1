import type { McpSessionRecord, McpSessionRepository } from '../../mcp/repository.ts'
import type { SqliteDatabase } from './database.ts'
import { toSqlTime } from './sql-time.ts'

interface Row { id: string, userId: string, protocolVersion: string, capabilities: string, clientInfo: string, createdAt: string, lastSeenAt: string }

const COLUMNS = 'id, userId, protocolVersion, capabilities, clientInfo, createdAt, lastSeenAt'
const toRecord = (row: Row): McpSessionRecord => ({
  ...row, capabilities: JSON.parse(row.capabilities), clientInfo: JSON.parse(row.clientInfo), createdAt: new Date(row.createdAt), lastSeenAt: new Date(row.lastSeenAt),
})
const time = (at: Date) => toSqlTime(at.getTime())

/** MCP HTTP sessions: looked up only when a request names one this process does not hold (after a restart). */
export function createSqliteMcpSessionRepository ({ sqlite }: SqliteDatabase): McpSessionRepository {
  const save = sqlite.prepare<Row>(`INSERT OR REPLACE INTO McpSession (${COLUMNS})
    VALUES (@id, @userId, @protocolVersion, @capabilities, @clientInfo, @createdAt, @lastSeenAt)`)
  const byId = sqlite.prepare<[string], Row>(`SELECT ${COLUMNS} FROM McpSession WHERE id = ?`)
  // the same text format throughout, so text order is time order
  const touch = sqlite.prepare<{ id: string, at: string, cutoff: string }>(
    'UPDATE McpSession SET lastSeenAt = max(lastSeenAt, @at) WHERE id = @id AND lastSeenAt >= @cutoff')
  const remove = sqlite.prepare<[string]>('DELETE FROM McpSession WHERE id = ?')
  const liveOf = sqlite.prepare<[string, string], { id: string, lastSeenAt: string }>(
    'SELECT id, lastSeenAt FROM McpSession WHERE userId = ? AND lastSeenAt >= ? ORDER BY lastSeenAt, id')
  const removeIdle = sqlite.prepare<[string]>('DELETE FROM McpSession WHERE lastSeenAt < ?')

  return {
    async save (r) {
      save.run({ ...r, capabilities: JSON.stringify(r.capabilities), clientInfo: JSON.stringify(r.clientInfo), createdAt: time(r.createdAt), lastSeenAt: time(r.lastSeenAt) })
    },
    async find (id) { const row = byId.get(id); return row === undefined ? null : toRecord(row) },
    async touch (id, at, cutoff) { return touch.run({ id, at: time(at), cutoff: time(cutoff) }).changes === 1 },
    async delete (id) { remove.run(id) },
    async liveOf (userId, cutoff) { return liveOf.all(userId, time(cutoff)).map((r) => ({ id: r.id, lastSeenAt: new Date(r.lastSeenAt) })) },
    async deleteIdleBefore (cutoff) { return removeIdle.run(time(cutoff)).changes },
  }
}
