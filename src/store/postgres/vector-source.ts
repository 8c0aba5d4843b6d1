import type { IndexedMemory, Visibility } from '../../memory/types.ts'
import { blobToVector, vectorToBlob } from '../sqlite/vector-source.ts'
import type { VectorSource } from '../vector/source.ts'
import type { PostgresDatabase } from './database.ts'
import { pgTime } from './memories.ts'

// The Memory table as the vector index sees it, on PostgreSQL (mirrors src/store/sqlite/vector-source.ts).
// There is no rowid: batches page by id, in the primary key's order, so each page is an index range scan.

interface Row { id: string, personaId: string, userId: string | null, visibility: string, embedding: Buffer }

const LIVE = '"prunedAt" IS NULL AND embedding IS NOT NULL AND "embeddingModel" = $1'
const COLUMNS = 'id, "personaId", "userId", visibility, embedding'

const toIndexed = (r: Row): IndexedMemory => ({
  id: r.id, personaId: r.personaId, userId: r.userId, visibility: r.visibility as Visibility, vector: blobToVector(r.embedding),
})

const PAGE = `SELECT ${COLUMNS} FROM "Memory" WHERE ${LIVE} AND id > $2 ORDER BY id LIMIT $3`
// oldest first, as SQLite's rowid order gives them
const PENDING = `SELECT ${COLUMNS} FROM "Memory" WHERE ${LIVE} AND "indexedAt" IS NULL ORDER BY "createdAt", id LIMIT $2`
const STALE = `SELECT id, content FROM "Memory" WHERE "prunedAt" IS NULL
  AND (embedding IS NULL OR "embeddingModel" IS NULL OR "embeddingModel" <> $1) ORDER BY "createdAt", id LIMIT $2`
// one statement for any number of rows; each row's vector replaces what is stored
const SAVE = `UPDATE "Memory" m SET embedding = r.embedding, "embeddingModel" = $3, "indexedAt" = NULL
  FROM unnest($1::text[], $2::bytea[]) AS r(id, embedding) WHERE m.id = r.id`
const SET_INDEXED = 'UPDATE "Memory" SET "indexedAt" = $1::timestamp WHERE id = ANY($2::text[])'

export function createPostgresVectorSource ({ pool }: PostgresDatabase): VectorSource {
  const rows = async <R extends object>(name: string, text: string, values: unknown[]) => (await pool.query<R>({ name, text, values })).rows
  const count = async (name: string, text: string, embedderId: string) => Number((await rows<{ n: string }>(name, text, [embedderId]))[0].n)
  return {
    async * batches (embedderId, batchSize) {
      let after = '' // below every id, in any collation
      for (;;) {
        const page: Row[] = await rows<Row>('vector-source-page', PAGE, [embedderId, after, batchSize])
        if (page.length === 0) return
        after = page[page.length - 1].id
        yield page.map(toIndexed)
      }
    },
    pending: async (embedderId, limit) => (await rows<Row>('vector-source-pending', PENDING, [embedderId, limit])).map(toIndexed),
    count: async (embedderId) => await count('vector-source-count', `SELECT count(*) AS n FROM "Memory" WHERE ${LIVE}`, embedderId),
    pendingCount: async (embedderId) => await count('vector-source-pending-count', `SELECT count(*) AS n FROM "Memory" WHERE ${LIVE} AND "indexedAt" IS NULL`, embedderId),
    ids: async (embedderId) => (await rows<{ id: string }>('vector-source-ids', `SELECT id FROM "Memory" WHERE ${LIVE}`, [embedderId])).map((r) => r.id),
    async markIndexed (ids) {
      if (ids.length > 0) await pool.query({ name: 'vector-source-set-indexed', text: SET_INDEXED, values: [pgTime(), ids] })
    },
    async markUnindexed (ids) {
      if (ids === undefined) await pool.query('UPDATE "Memory" SET "indexedAt" = NULL WHERE "indexedAt" IS NOT NULL')
      else if (ids.length > 0) await pool.query({ name: 'vector-source-set-indexed', text: SET_INDEXED, values: [null, ids] })
    },
    staleEmbeddings: async (embedderId, limit) => await rows<{ id: string, content: string }>('vector-source-stale', STALE, [embedderId, limit]),
    async saveEmbeddings (input, embedderId) {
      if (input.length === 0) return
      // one source row per memory (UPDATE ... FROM applies one): the last vector given wins, as it would one by one
      const byId = new Map(input.map((r) => [r.id, r.vector]))
      await pool.query({ name: 'vector-source-save', text: SAVE, values: [[...byId.keys()], [...byId.values()].map(vectorToBlob), embedderId] })
    },
  }
}
