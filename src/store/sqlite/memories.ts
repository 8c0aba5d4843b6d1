import { randomUUID } from 'node:crypto'
import type { MemoryAccess, MemoryChange, MemoryListFilter, MemoryRepository, MemoryRow, NewMemory } from '../../memory/repository.ts'
import { createChangeStamp } from './change-stamp.ts'
import type { SqliteDatabase } from './database.ts'
import { fromSqlTime, toSqlTime } from './sql-time.ts'

// The Memory table through raw better-sqlite3, every statement prepared once: memory is the hot, set-based
// part of the data (searches touch dozens of rows), where Prisma costs ~40x per statement. Rows read by id
// are kept until the database changes (change-stamp.ts): a search's 20 candidate rows cost ~300 us to read
// here, a look-up in the cache a few us.

interface RawRow extends Omit<MemoryRow, 'relatedPersonas' | 'metadata' | 'lastAccessedAt' | 'createdAt'> {
  relatedPersonas: string
  metadata: string
  lastAccessedAt: string | null
  createdAt: string
}

const COLUMNS = 'id, personaId, userId, content, memoryType, importance, baseImportance, emotionalValence, visibility, relatedPersonas, metadata, accessCount, lastAccessedAt, createdAt'

/** statsViewer's rule over a `@userId` parameter (null: every memory): own, ownerless (lore) and public ones */
export const VISIBLE = "(@userId IS NULL OR userId = @userId OR userId IS NULL OR visibility = 'public')"

/** pinned memories (metadata.pinned === true) are never decayed nor pruned; a bad JSON row must not abort a run */
export const UNPINNED = "(CASE WHEN json_valid(metadata) THEN json_type(metadata, '$.pinned') END) IS NOT 'true'"

const toRow = (raw: RawRow): MemoryRow => ({
  ...raw,
  relatedPersonas: JSON.parse(raw.relatedPersonas) as string[],
  metadata: JSON.parse(raw.metadata) as Record<string, unknown>,
  lastAccessedAt: fromSqlTime(raw.lastAccessedAt),
  createdAt: fromSqlTime(raw.createdAt) ?? 0,
})

/** rows kept at most (the cache starts over beyond) */
const MAX_CACHED = 50_000

const blob = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)

/** `%` and `_` are LIKE's wildcards and `\` our escape character: each is matched as itself */
export const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, '\\$&')

// an absent filter is a NULL parameter, so each statement is prepared once
const LIST_WHERE = `prunedAt IS NULL
  AND (@personaId IS NULL OR personaId = @personaId)
  AND (@userId IS NULL OR userId = @userId)
  AND (@memoryType IS NULL OR memoryType = @memoryType)
  AND (@visibility IS NULL OR visibility = @visibility)
  AND (@contains IS NULL OR content LIKE '%' || @contains || '%' ESCAPE '\\')`

export function createSqliteMemoryRepository ({ sqlite: db }: SqliteDatabase): MemoryRepository {
  const insert = db.prepare(`INSERT INTO Memory (id, personaId, userId, content, memoryType, importance, baseImportance, emotionalValence,
    visibility, relatedPersonas, metadata, accessCount, createdAt, embedding, embeddingModel)
    VALUES (@id, @personaId, @userId, @content, @memoryType, @importance, @importance, @emotionalValence,
    @visibility, @relatedPersonas, @metadata, 0, @createdAt, @embedding, @embeddingModel)`)
  // ids bound through json_each, however many there are
  const byIds = db.prepare(`SELECT ${COLUMNS} FROM Memory WHERE id IN (SELECT value FROM json_each(?)) AND prunedAt IS NULL`)
  const recent = db.prepare(`SELECT ${COLUMNS} FROM Memory WHERE personaId = @personaId AND prunedAt IS NULL
    AND (userId = @userId OR userId IS NULL OR visibility = 'public') AND (@memoryType IS NULL OR memoryType = @memoryType)
    ORDER BY createdAt DESC LIMIT @limit`)
  const page = db.prepare(`SELECT ${COLUMNS} FROM Memory WHERE ${LIST_WHERE} ORDER BY createdAt DESC, id ASC LIMIT @limit OFFSET @offset`)
  const count = db.prepare(`SELECT COUNT(*) FROM Memory WHERE ${LIST_WHERE}`).pluck()
  const access = db.prepare('UPDATE Memory SET accessCount = accessCount + ?, lastAccessedAt = ? WHERE id = ?')
  const recordAccesses = db.transaction((accesses: MemoryAccess[]) => {
    for (const a of accesses) access.run(a.count, toSqlTime(a.at), a.id)
  })
  const update = db.prepare(`UPDATE Memory SET content = @content, importance = @importance, baseImportance = @baseImportance,
    memoryType = @memoryType, visibility = @visibility, metadata = @metadata, embedding = coalesce(@embedding, embedding),
    embeddingModel = coalesce(@embeddingModel, embeddingModel), indexedAt = NULL WHERE id = @id`)
  const remove = db.prepare('DELETE FROM Memory WHERE id = ?')

  // null: known to be gone (pruned or deleted) while the index still names it
  const cache = new Map<string, MemoryRow | null>()
  const stamp = createChangeStamp(db)
  let cachedAt = ''
  function cached (ids: string[]): MemoryRow[] {
    const now = stamp()
    if (now !== cachedAt || cache.size > MAX_CACHED) {
      cache.clear()
      cachedAt = now
    }
    const missing = ids.filter((id) => !cache.has(id))
    if (missing.length > 0) {
      for (const id of missing) cache.set(id, null)
      for (const raw of byIds.all(JSON.stringify(missing)) as RawRow[]) cache.set(raw.id, toRow(raw))
    }
    return ids.flatMap((id) => cache.get(id) ?? [])
  }

  return {
    async insert (memory: NewMemory, now: number) {
      const id = randomUUID()
      insert.run({
        ...memory,
        id,
        relatedPersonas: JSON.stringify(memory.relatedPersonas),
        metadata: JSON.stringify(memory.metadata),
        createdAt: toSqlTime(now),
        embedding: blob(memory.embedding),
      })
      return id
    },
    async get (id) { return cached([id])[0] },
    async getMany (ids) { return ids.length === 0 ? [] : cached(ids) },
    async recent (personaId, userId, limit, memoryType) {
      return (recent.all({ personaId, userId, limit, memoryType: memoryType ?? null }) as RawRow[]).map(toRow)
    },
    async list (filter: MemoryListFilter) {
      const params = {
        personaId: filter.personaId ?? null,
        userId: filter.userId ?? null,
        memoryType: filter.memoryType ?? null,
        visibility: filter.visibility ?? null,
        contains: filter.contains === undefined ? null : likeLiteral(filter.contains),
      }
      const rows = (page.all({ ...params, limit: filter.limit, offset: filter.offset }) as RawRow[]).map(toRow)
      return { rows, total: count.get(params) as number }
    },
    async recordAccesses (accesses) { if (accesses.length > 0) recordAccesses(accesses) },
    async update (id, change: MemoryChange) {
      update.run({
        id,
        content: change.content,
        importance: change.importance,
        baseImportance: change.baseImportance,
        memoryType: change.memoryType,
        visibility: change.visibility,
        metadata: JSON.stringify(change.metadata),
        embedding: change.embedding ? blob(change.embedding.vector) : null,
        embeddingModel: change.embedding?.model ?? null,
      })
    },
    async remove (id) { return remove.run(id).changes > 0 },
  }
}
