import type { McpSessionRecord, McpSessionRepository } from '../../mcp/repository.ts'
import type { SqliteDatabase } from './database.ts'
import { toSqlTime } from './sql-time.ts'

interface Row {
  id: string, userId: string, protocolVersion: string, capabilities: string, clientInfo: string, personaSessionId: string | null,
  subscriptions: string, logLevel: string | null, createdAt: string, lastSeenAt: string
}

const COLUMNS = 'id, userId, protocolVersion, capabilities, clientInfo, personaSessionId, subscriptions, logLevel, createdAt, lastSeenAt'
const toRecord = (row: Row): McpSessionRecord => ({
  ...row, capabilities: JSON.parse(row.capabilities), clientInfo: JSON.parse(row.clientInfo), subscriptions: JSON.parse(row.subscriptions),
  createdAt: new Date(row.createdAt), lastSeenAt: new Date(row.lastSeenAt),
})
const time = (at: Date) => toSqlTime(at.getTime())

/** MCP HTTP sessions: looked up only when a request names one this process does not hold (after a restart). */
export function createSqliteMcpSessionRepository ({ sqlite }: SqliteDatabase): McpSessionRepository {
  const save = sqlite.prepare<Row>(`INSERT OR REPLACE INTO McpSession (${COLUMNS})
    VALUES (@id, @userId, @protocolVersion, @capabilities, @clientInfo, @personaSessionId, @subscriptions, @logLevel, @createdAt, @lastSeenAt)`)
  const byId = sqlite.prepare<[string], Row>(`SELECT ${COLUMNS} FROM McpSession WHERE id = ?`)
  // the same text format throughout, so text order is time order
  const touch = sqlite.prepare<{ id: string, at: string, cutoff: string }>(
    'UPDATE McpSession SET lastSeenAt = max(lastSeenAt, @at) WHERE id = @id AND lastSeenAt >= @cutoff')
  // one process holds every copy on SQLite, so this runs in tests of the contract only: no need to fold it into one statement
  const follow = sqlite.prepare<[string], { personaSessionId: string | null, stored: number, currentPersonaId: string | null, turnCount: number | null }>(
    `SELECT m.personaSessionId, s.id IS NOT NULL AS stored, s.currentPersonaId, c.turnCount
     FROM McpSession m LEFT JOIN Session s ON s.id = m.personaSessionId
       LEFT JOIN Conversation c ON c.sessionId = s.id AND c.personaId = s.currentPersonaId WHERE m.id = ?`)
  // subscriptions is a JSON array of strings (text): appended at its end ('$[#]'), so first-subscribed order
  const subscribe = sqlite.prepare<{ id: string, uri: string, max: number }>(
    `UPDATE McpSession SET subscriptions = json_insert(subscriptions, '$[#]', @uri)
     WHERE id = @id AND NOT EXISTS (SELECT 1 FROM json_each(subscriptions) WHERE value = @uri) AND json_array_length(subscriptions) < @max`)
  const subscribed = sqlite.prepare<{ id: string, uri: string }, { n: number }>(
    'SELECT count(*) AS n FROM McpSession m, json_each(m.subscriptions) s WHERE m.id = @id AND s.value = @uri')
  // one element at most holds it (subscribe adds none twice): remove it by its path
  const unsubscribe = sqlite.prepare<{ id: string, uri: string }>(
    `UPDATE McpSession SET subscriptions = json_remove(subscriptions, (SELECT fullkey FROM json_each(subscriptions) WHERE value = @uri))
     WHERE id = @id AND EXISTS (SELECT 1 FROM json_each(subscriptions) WHERE value = @uri)`)
  // the driver is synchronous and one process holds the file's writers, so the update and the check are one transaction
  const subscribeChecked = sqlite.transaction((id: string, uri: string, max: number) =>
    subscribe.run({ id, uri, max }).changes === 1 || subscribed.get({ id, uri })!.n > 0)
  const setLogLevel = sqlite.prepare<[string, string]>('UPDATE McpSession SET logLevel = ? WHERE id = ?')
  const setPersonaSession = sqlite.prepare<[string, string]>('UPDATE McpSession SET personaSessionId = ? WHERE id = ?')
  const remove = sqlite.prepare<[string]>('DELETE FROM McpSession WHERE id = ?')
  const liveOf = sqlite.prepare<[string, string], { id: string, lastSeenAt: string }>(
    'SELECT id, lastSeenAt FROM McpSession WHERE userId = ? AND lastSeenAt >= ? ORDER BY lastSeenAt, id')
  const removeIdle = sqlite.prepare<[string]>('DELETE FROM McpSession WHERE lastSeenAt < ?')
  const touched = (id: string, at: Date, cutoff: Date) => touch.run({ id, at: time(at), cutoff: time(cutoff) }).changes === 1

  return {
    async save (r) {
      save.run({
        ...r, capabilities: JSON.stringify(r.capabilities), clientInfo: JSON.stringify(r.clientInfo), subscriptions: JSON.stringify(r.subscriptions),
        createdAt: time(r.createdAt), lastSeenAt: time(r.lastSeenAt),
      })
    },
    async find (id) { const row = byId.get(id); return row === undefined ? null : toRecord(row) },
    async touch (id, at, cutoff) { return touched(id, at, cutoff) },
    async touchAndRead (id, at, cutoff) {
      if (!touched(id, at, cutoff)) return null
      const row = follow.get(id)!
      return { personaSessionId: row.personaSessionId, currentPersonaId: row.stored === 1 ? row.currentPersonaId : undefined, turnCount: row.turnCount ?? undefined }
    },
    async subscribe (id, uri, max) { return subscribeChecked(id, uri, max) },
    async unsubscribe (id, uri) { unsubscribe.run({ id, uri }) },
    async setLogLevel (id, level) { setLogLevel.run(level, id) },
    async setPersonaSession (id, personaSessionId) { setPersonaSession.run(personaSessionId, id) },
    async delete (id) { remove.run(id) },
    async liveOf (userId, cutoff) { return liveOf.all(userId, time(cutoff)).map((r) => ({ id: r.id, lastSeenAt: new Date(r.lastSeenAt) })) },
    async deleteIdleBefore (cutoff) { return removeIdle.run(time(cutoff)).changes },
  }
}
