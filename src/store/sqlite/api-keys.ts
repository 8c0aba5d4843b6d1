import { randomUUID } from 'node:crypto'
import type { ApiKeyRecord, ApiKeyRepository } from '../../auth/repository.ts'
import type { SqliteDatabase } from './database.ts'
import { toSqlTime } from './sql-time.ts'

type ApiKeyRow = Omit<ApiKeyRecord, 'createdAt' | 'lastUsedAt' | 'revokedAt'> & { createdAt: string, lastUsedAt: string | null, revokedAt: string | null }

const COLUMNS = 'id, userId, scope, label, keyHash, keyPrefix, createdAt, lastUsedAt, revokedAt'
const date = (text: string | null) => (text === null ? null : new Date(text))
const toRecord = (row: ApiKeyRow): ApiKeyRecord => ({ ...row, createdAt: new Date(row.createdAt), lastUsedAt: date(row.lastUsedAt), revokedAt: date(row.revokedAt) })

/** API keys by hash: a key's first request looks it up (then the service remembers it), so prepared statements. */
export function createSqliteApiKeyRepository ({ sqlite }: SqliteDatabase): ApiKeyRepository {
  const countLive = sqlite.prepare<[], number>('SELECT COUNT(*) FROM ApiKey WHERE revokedAt IS NULL').pluck()
  const count = sqlite.prepare<[], number>('SELECT COUNT(*) FROM ApiKey').pluck()
  const byHash = sqlite.prepare<[string], ApiKeyRow>(`SELECT ${COLUMNS} FROM ApiKey WHERE keyHash = ?`)
  const byId = sqlite.prepare<[string], ApiKeyRow>(`SELECT ${COLUMNS} FROM ApiKey WHERE id = ?`)
  const insert = sqlite.prepare<ApiKeyRow, ApiKeyRow>(`INSERT INTO ApiKey (${COLUMNS})
    VALUES (@id, @userId, @scope, @label, @keyHash, @keyPrefix, @createdAt, @lastUsedAt, @revokedAt) RETURNING ${COLUMNS}`)
  const markUsed = sqlite.prepare('UPDATE ApiKey SET lastUsedAt = ? WHERE keyHash = ? AND revokedAt IS NULL')
  const revoke = sqlite.prepare<[string, string], ApiKeyRow>(
    `UPDATE ApiKey SET revokedAt = COALESCE(revokedAt, ?) WHERE id = ? RETURNING ${COLUMNS}`)
  const page = sqlite.prepare<[number, number], ApiKeyRow>(`SELECT ${COLUMNS} FROM ApiKey ORDER BY createdAt DESC, id LIMIT ? OFFSET ?`)

  return {
    async countLive () { return countLive.get()! },
    async findByHash (keyHash) { const row = byHash.get(keyHash); return row === undefined ? null : toRecord(row) },
    async findById (id) { const row = byId.get(id); return row === undefined ? null : toRecord(row) },
    async create (key) {
      return toRecord(insert.get({ ...key, id: randomUUID(), createdAt: toSqlTime(), lastUsedAt: null, revokedAt: null })!)
    },
    async markUsed (keyHash, at) { return markUsed.run(toSqlTime(at.getTime()), keyHash).changes === 1 },
    async revoke (id, at) { const row = revoke.get(toSqlTime(at.getTime()), id); return row === undefined ? null : toRecord(row) },
    async page (limit, offset) { return { items: page.all(limit, offset).map(toRecord), total: count.get()! } },
  }
}
