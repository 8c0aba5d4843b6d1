import { randomUUID } from 'node:crypto'
import type { ApiKeyRecord, ApiKeyRepository } from '../../auth/repository.ts'
import type { PostgresDatabase } from './database.ts'

const COLUMNS = 'id, "userId", scope, label, "keyHash", "keyPrefix", "createdAt", "lastUsedAt", "revokedAt"'
// pg would send a Date in the process's local zone; the columns are TIMESTAMP(3) in UTC, so ISO text (its zone is ignored)
const utc = (at: Date) => at.toISOString()

/** API keys by hash: a key's first request looks it up (then the service remembers it), so prepared statements. */
export function createPostgresApiKeyRepository ({ pool }: PostgresDatabase): ApiKeyRepository {
  const one = async (name: string, text: string, values: unknown[]) =>
    (await pool.query<ApiKeyRecord>({ name, text, values })).rows[0] ?? null
  const count = async (name: string, text: string) => Number((await pool.query<{ n: string }>({ name, text })).rows[0]!.n)

  return {
    async countLive () { return await count('api-key-count-live', 'SELECT count(*) AS n FROM "ApiKey" WHERE "revokedAt" IS NULL') },
    async findByHash (keyHash) { return await one('api-key-by-hash', `SELECT ${COLUMNS} FROM "ApiKey" WHERE "keyHash" = $1`, [keyHash]) },
    async findById (id) { return await one('api-key-by-id', `SELECT ${COLUMNS} FROM "ApiKey" WHERE id = $1`, [id]) },
    async create (key) {
      return (await one('api-key-create', `INSERT INTO "ApiKey" (id, "userId", scope, label, "keyHash", "keyPrefix", "createdAt")
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [randomUUID(), key.userId, key.scope, key.label, key.keyHash, key.keyPrefix, utc(new Date())]))!
    },
    async markUsed (keyHash, at) {
      const { rowCount } = await pool.query({
        name: 'api-key-mark-used', text: 'UPDATE "ApiKey" SET "lastUsedAt" = $1 WHERE "keyHash" = $2 AND "revokedAt" IS NULL', values: [utc(at), keyHash],
      })
      return rowCount === 1
    },
    async revoke (id, at) {
      // first revocation only: COALESCE keeps an earlier one, in the one statement
      return await one('api-key-revoke', `UPDATE "ApiKey" SET "revokedAt" = COALESCE("revokedAt", $1) WHERE id = $2 RETURNING ${COLUMNS}`, [utc(at), id])
    },
    async page (limit, offset) {
      const [{ rows }, total] = await Promise.all([
        pool.query<ApiKeyRecord>({ name: 'api-key-page', text: `SELECT ${COLUMNS} FROM "ApiKey" ORDER BY "createdAt" DESC, id COLLATE "C" LIMIT $1 OFFSET $2`, values: [limit, offset] }),
        count('api-key-count', 'SELECT count(*) AS n FROM "ApiKey"'),
      ])
      return { items: rows, total }
    },
  }
}
