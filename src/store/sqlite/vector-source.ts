import type { IndexedMemory, Visibility } from '../../memory/types.ts'
import type { VectorSource } from '../vector/source.ts'
import type { SqliteDatabase } from './database.ts'
import { toSqlTime } from './sql-time.ts'

// The Memory table as the vector index sees it, through raw better-sqlite3: a rebuild reads every embedding,
// and Prisma costs ~40x more per statement. Writes keep Prisma's text formats so Prisma reads them back.

/** The little-endian float32 bytes of Memory.embedding (every platform Node runs on here is little-endian). */
export const vectorToBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength)

export function blobToVector (blob: Uint8Array): Float32Array {
  // copy: the Buffer may sit at an offset that is not a multiple of 4 in a shared pool
  const out = new Float32Array(blob.byteLength >>> 2)
  new Uint8Array(out.buffer).set(blob.subarray(0, out.length * 4))
  return out
}

interface Row { rowid: number, id: string, personaId: string, userId: string | null, visibility: string, embedding: Uint8Array }

const LIVE = 'prunedAt IS NULL AND embedding IS NOT NULL AND embeddingModel = ?'
const COLUMNS = 'rowid, id, personaId, userId, visibility, embedding'

const toIndexed = (r: Row): IndexedMemory => ({
  id: r.id, personaId: r.personaId, userId: r.userId, visibility: r.visibility as Visibility, vector: blobToVector(r.embedding),
})

export function createSqliteVectorSource ({ sqlite: db }: SqliteDatabase): VectorSource {
  // keyset paging by rowid rather than one long iterate(): the batches are consumed across awaits, and an
  // open iterator would keep the connection busy for every other statement in the meantime
  const page = db.prepare<[string, number, number], Row>(`SELECT ${COLUMNS} FROM Memory WHERE ${LIVE} AND rowid > ? ORDER BY rowid LIMIT ?`)
  const pendingStmt = db.prepare<[string, number], Row>(`SELECT ${COLUMNS} FROM Memory WHERE ${LIVE} AND indexedAt IS NULL ORDER BY rowid LIMIT ?`)
  const countStmt = db.prepare<[string], number>(`SELECT count(*) FROM Memory WHERE ${LIVE}`).pluck()
  const pendingCountStmt = db.prepare<[string], number>(`SELECT count(*) FROM Memory WHERE ${LIVE} AND indexedAt IS NULL`).pluck()
  const idsStmt = db.prepare<[string], string>(`SELECT id FROM Memory WHERE ${LIVE}`).pluck()
  const stale = db.prepare<[string, number], { id: string, content: string }>(
    'SELECT id, content FROM Memory WHERE prunedAt IS NULL AND (embedding IS NULL OR embeddingModel IS NULL OR embeddingModel != ?) ORDER BY rowid LIMIT ?')
  const save = db.prepare<[Buffer, string, string]>('UPDATE Memory SET embedding = ?, embeddingModel = ?, indexedAt = NULL WHERE id = ?')
  const unindexAll = db.prepare('UPDATE Memory SET indexedAt = NULL WHERE indexedAt IS NOT NULL')
  // ids go in as one JSON array: one statement for any number of ids, no limit on bound parameters
  const setIndexed = db.prepare<[string | null, string]>('UPDATE Memory SET indexedAt = ? WHERE id IN (SELECT value FROM json_each(?))')

  const saveAll = db.transaction((rows: Array<{ id: string, vector: Float32Array }>, embedderId: string) => {
    for (const { id, vector } of rows) save.run(vectorToBlob(vector), embedderId, id)
  })

  // the port is asynchronous for databases that must be; here every statement runs at once
  return {
    async * batches (embedderId, batchSize) {
      let after = 0
      for (;;) {
        const rows = page.all(embedderId, after, batchSize)
        if (rows.length === 0) return
        after = rows[rows.length - 1].rowid
        yield rows.map(toIndexed)
      }
    },
    pending: async (embedderId, limit) => pendingStmt.all(embedderId, limit).map(toIndexed),
    count: async (embedderId) => countStmt.get(embedderId) ?? 0,
    pendingCount: async (embedderId) => pendingCountStmt.get(embedderId) ?? 0,
    ids: async (embedderId) => idsStmt.all(embedderId),
    async markIndexed (ids) {
      if (ids.length > 0) setIndexed.run(toSqlTime(), JSON.stringify(ids))
    },
    async markUnindexed (ids) {
      if (ids === undefined) unindexAll.run()
      else if (ids.length > 0) setIndexed.run(null, JSON.stringify(ids))
    },
    staleEmbeddings: async (embedderId, limit) => stale.all(embedderId, limit),
    async saveEmbeddings (rows, embedderId) { saveAll(rows, embedderId) },
  }
}
