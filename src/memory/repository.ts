import { randomUUID } from 'node:crypto'
import type Database from 'better-sqlite3'
import { fromSqlTime, toSqlTime } from '../store/sqlite/sql-time.ts'
import type { Visibility } from './types.ts'

// The Memory table through raw better-sqlite3: memory is the hot, set-based part of the data
// (searches touch dozens of rows, prune and decay thousands), where Prisma costs ~40x per statement.

export interface NewMemory {
  personaId: string
  userId: string | null
  content: string
  memoryType: string
  importance: number
  emotionalValence: number
  visibility: Visibility
  relatedPersonas: string[]
  metadata: Record<string, unknown>
  embedding: Float32Array
  embeddingModel: string
}

export interface MemoryRow {
  id: string
  personaId: string
  userId: string | null
  content: string
  memoryType: string
  importance: number
  baseImportance: number
  emotionalValence: number
  visibility: Visibility
  relatedPersonas: string[]
  metadata: Record<string, unknown>
  accessCount: number
  lastAccessedAt: number | null
  createdAt: number
}

interface RawRow extends Omit<MemoryRow, 'relatedPersonas' | 'metadata' | 'lastAccessedAt' | 'createdAt'> {
  relatedPersonas: string
  metadata: string
  lastAccessedAt: string | null
  createdAt: string
}

const COLUMNS = 'id, personaId, userId, content, memoryType, importance, baseImportance, emotionalValence, visibility, relatedPersonas, metadata, accessCount, lastAccessedAt, createdAt'

const toRow = (raw: RawRow): MemoryRow => ({
  ...raw,
  relatedPersonas: JSON.parse(raw.relatedPersonas) as string[],
  metadata: JSON.parse(raw.metadata) as Record<string, unknown>,
  lastAccessedAt: fromSqlTime(raw.lastAccessedAt),
  createdAt: fromSqlTime(raw.createdAt) ?? 0,
})

const blob = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)

export function createMemoryRepository (db: Database.Database) {
  const insert = db.prepare(`INSERT INTO Memory (id, personaId, userId, content, memoryType, importance, baseImportance, emotionalValence,
    visibility, relatedPersonas, metadata, accessCount, createdAt, embedding, embeddingModel)
    VALUES (@id, @personaId, @userId, @content, @memoryType, @importance, @importance, @emotionalValence,
    @visibility, @relatedPersonas, @metadata, 0, @createdAt, @embedding, @embeddingModel)`)
  const markIndexed = db.prepare('UPDATE Memory SET indexedAt = ? WHERE id = ?')

  /** Rows by id in one statement (ids are bound through json_each, however many there are). */
  const byIds = db.prepare(`SELECT ${COLUMNS} FROM Memory WHERE id IN (SELECT value FROM json_each(?)) AND prunedAt IS NULL`)
  const bump = db.prepare('UPDATE Memory SET accessCount = accessCount + 1, lastAccessedAt = ? WHERE id IN (SELECT value FROM json_each(?))')

  return {
    insert (memory: NewMemory, now = Date.now()): string {
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

    markIndexed (ids: string[], now = Date.now()): void {
      const at = toSqlTime(now)
      db.transaction(() => { for (const id of ids) markIndexed.run(at, id) })()
    },

    /** Live rows by id, in no particular order. */
    getMany (ids: string[]): MemoryRow[] {
      if (ids.length === 0) return []
      return (byIds.all(JSON.stringify(ids)) as RawRow[]).map(toRow)
    },

    touch (ids: string[], now = Date.now()): void {
      if (ids.length > 0) bump.run(toSqlTime(now), JSON.stringify(ids))
    },

    /** Recent memories of a persona visible to a user, newest first (listing without a query). */
    recent (personaId: string, userId: string, limit: number, memoryType?: string): MemoryRow[] {
      return (db.prepare(`SELECT ${COLUMNS} FROM Memory WHERE personaId = ? AND prunedAt IS NULL
        AND (userId = ? OR userId IS NULL OR visibility = 'public') AND (? IS NULL OR memoryType = ?)
        ORDER BY createdAt DESC LIMIT ?`).all(personaId, userId, memoryType ?? null, memoryType ?? null, limit) as RawRow[]).map(toRow)
    },

    /** One of the user's (or the persona's own) memories, for deletion checks. */
    get (id: string): MemoryRow | undefined {
      const raw = db.prepare(`SELECT ${COLUMNS} FROM Memory WHERE id = ? AND prunedAt IS NULL`).get(id) as RawRow | undefined
      return raw && toRow(raw)
    },

    remove (id: string): boolean {
      return db.prepare('DELETE FROM Memory WHERE id = ?').run(id).changes > 0
    },
  }
}

export type MemoryRepository = ReturnType<typeof createMemoryRepository>
