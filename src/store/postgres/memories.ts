import { randomUUID } from 'node:crypto'
import type { MemoryAccess, MemoryRepository, MemoryRow, NewMemory } from '../../memory/repository.ts'
import type { Visibility } from '../../memory/types.ts'
import { likeLiteral } from '../sqlite/memories.ts'
import { vectorToBlob } from '../sqlite/vector-source.ts'
import type { PostgresDatabase } from './database.ts'

// The Memory table on PostgreSQL, every statement prepared (searches, recalls and chat turns use them).
// Mirrors src/store/sqlite/memories.ts, except that rows read by id are not cached: another instance may
// change them, and PostgreSQL has no cheap change stamp (SQLite's data_version) to tell.

interface RawRow extends Omit<MemoryRow, 'lastAccessedAt' | 'createdAt'> { lastAccessedAt: Date | null, createdAt: Date }

const COLUMNS = `id, "personaId", "userId", content, "memoryType", importance, "baseImportance", "emotionalValence", visibility,
  "relatedPersonas", metadata, "accessCount", "lastAccessedAt", "createdAt"`

/** statsViewer's rule over a text parameter (null: every memory): own, ownerless (lore) and public ones */
export const visibleTo = (param: string): string => `(${param}::text IS NULL OR "userId" = ${param} OR "userId" IS NULL OR visibility = 'public')`

/** pinned memories (metadata.pinned === true, the boolean) are never decayed nor pruned */
export const UNPINNED = `("metadata" -> 'pinned') IS DISTINCT FROM 'true'::jsonb`

/** epoch ms as TIMESTAMP(3) text in UTC (pg would send a Date in the process's zone) */
export const pgTime = (ms: number = Date.now()): string => new Date(ms).toISOString()

export const toRow = (raw: RawRow): MemoryRow => ({
  ...raw,
  visibility: raw.visibility as Visibility,
  lastAccessedAt: raw.lastAccessedAt?.getTime() ?? null,
  createdAt: raw.createdAt.getTime(),
})

// SQLite's LIKE folds ASCII letters only; ILIKE would fold every letter, so the ASCII fold is spelled out
const ASCII_UPPER = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"
const ASCII_LOWER = "'abcdefghijklmnopqrstuvwxyz'"
const fold = (sql: string) => `translate(${sql}, ${ASCII_UPPER}, ${ASCII_LOWER})`

// an absent filter is a NULL parameter, so each statement is prepared once
const LIST_WHERE = `"prunedAt" IS NULL
  AND ($1::text IS NULL OR "personaId" = $1)
  AND ($2::text IS NULL OR "userId" = $2)
  AND ($3::text IS NULL OR "memoryType" = $3)
  AND ($4::text IS NULL OR visibility = $4)
  AND ($5::text IS NULL OR ${fold('content')} LIKE '%' || ${fold('$5')} || '%' ESCAPE '\\')`

const INSERT = `INSERT INTO "Memory" (id, "personaId", "userId", content, "memoryType", importance, "baseImportance", "emotionalValence",
  visibility, "relatedPersonas", metadata, "accessCount", "createdAt", embedding, "embeddingModel")
  VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9::jsonb, $10::jsonb, 0, $11::timestamp, $12, $13)`
// the ids alone pick the rows (the primary key), then the pruned are dropped: with "prunedAt" IS NULL beside
// the ids, a prepared statement's generic plan, made while the table was small, walked the whole
// ("personaId", "prunedAt") index on every call (2.3 ms a recall at 2,500 memories, 77% of PostgreSQL's time)
const BY_IDS = `WITH hit AS MATERIALIZED (SELECT ${COLUMNS}, "prunedAt" FROM "Memory" WHERE id = ANY($1::text[]))
  SELECT ${COLUMNS} FROM hit WHERE "prunedAt" IS NULL`
const RECENT = `SELECT ${COLUMNS} FROM "Memory" WHERE "personaId" = $1 AND "prunedAt" IS NULL
  AND ("userId" = $2 OR "userId" IS NULL OR visibility = 'public') AND ($4::text IS NULL OR "memoryType" = $4)
  ORDER BY "createdAt" DESC LIMIT $3`
// ids in byte order, as SQLite compares text
const PAGE = `SELECT ${COLUMNS} FROM "Memory" WHERE ${LIST_WHERE} ORDER BY "createdAt" DESC, id COLLATE "C" ASC LIMIT $6 OFFSET $7`
const COUNT = `SELECT count(*) AS n FROM "Memory" WHERE ${LIST_WHERE}`
// each count added on top of what is stored (another instance may be adding its own at the same time)
const ACCESSES = `UPDATE "Memory" m SET "accessCount" = m."accessCount" + a.n, "lastAccessedAt" = a.at
  FROM unnest($1::text[], $2::int[], $3::timestamp[]) AS a(id, n, at) WHERE m.id = a.id`
const UPDATE = `UPDATE "Memory" SET content = $2, importance = $3, "baseImportance" = $4, "memoryType" = $5, visibility = $6,
  metadata = $7::jsonb, embedding = coalesce($8, embedding), "embeddingModel" = coalesce($9, "embeddingModel"), "indexedAt" = NULL WHERE id = $1`

/** one entry per memory (an UPDATE ... FROM applies one source row per target row): counts summed, the last time kept */
function perMemory (accesses: MemoryAccess[]): MemoryAccess[] {
  const byId = new Map<string, MemoryAccess>()
  for (const a of accesses) {
    const seen = byId.get(a.id)
    byId.set(a.id, seen === undefined ? { ...a } : { id: a.id, count: seen.count + a.count, at: a.at })
  }
  return [...byId.values()]
}

export function createPostgresMemoryRepository ({ pool }: PostgresDatabase): MemoryRepository {
  const rows = async (name: string, text: string, values: unknown[]) => (await pool.query<RawRow>({ name, text, values })).rows.map(toRow)
  return {
    async insert (memory: NewMemory, now: number) {
      const id = randomUUID()
      await pool.query({
        name: 'memory-insert',
        text: INSERT,
        values: [id, memory.personaId, memory.userId, memory.content, memory.memoryType, memory.importance, memory.emotionalValence,
          memory.visibility, JSON.stringify(memory.relatedPersonas), JSON.stringify(memory.metadata), pgTime(now),
          vectorToBlob(memory.embedding), memory.embeddingModel],
      })
      return id
    },
    async get (id) { return (await rows('memory-by-ids', BY_IDS, [[id]]))[0] },
    async getMany (ids) { return ids.length === 0 ? [] : await rows('memory-by-ids', BY_IDS, [ids]) },
    async recent (personaId, userId, limit, memoryType) { return await rows('memory-recent', RECENT, [personaId, userId, limit, memoryType ?? null]) },
    async list (filter) {
      const params = [filter.personaId ?? null, filter.userId ?? null, filter.memoryType ?? null, filter.visibility ?? null,
        filter.contains === undefined ? null : likeLiteral(filter.contains)]
      const [page, count] = await Promise.all([
        rows('memory-list', PAGE, [...params, filter.limit, filter.offset]),
        pool.query<{ n: string }>({ name: 'memory-list-count', text: COUNT, values: params }),
      ])
      return { rows: page, total: Number(count.rows[0].n) }
    },
    async recordAccesses (accesses) {
      if (accesses.length === 0) return
      const each = perMemory(accesses)
      await pool.query({ name: 'memory-accesses', text: ACCESSES, values: [each.map((a) => a.id), each.map((a) => a.count), each.map((a) => pgTime(a.at))] })
    },
    async update (id, change) {
      await pool.query({
        name: 'memory-update',
        text: UPDATE,
        values: [id, change.content, change.importance, change.baseImportance, change.memoryType, change.visibility, JSON.stringify(change.metadata),
          change.embedding ? vectorToBlob(change.embedding.vector) : null, change.embedding?.model ?? null],
      })
    },
    async remove (id) {
      const { rowCount } = await pool.query({ name: 'memory-remove', text: 'DELETE FROM "Memory" WHERE id = $1', values: [id] })
      return (rowCount ?? 0) > 0
    },
  }
}
