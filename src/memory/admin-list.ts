import type Database from 'better-sqlite3'
import { createMemoryRepository, type MemoryRow } from './repository.ts'
import type { Visibility } from './types.ts'

// The operator's list of live memories (admin REST): filters and one page in SQL, the rows through the
// memory repository so they are the ones the JSON-RPC methods see.

export interface MemoryListFilter {
  personaId?: string
  userId?: string
  memoryType?: string
  visibility?: Visibility
  /** a literal substring of the content: `%`, `_` and `\` are plain characters, ASCII letters match in any case */
  contains?: string
  limit: number
  offset: number
}

/** `%` and `_` are LIKE's wildcards and `\` our escape character: each is matched as itself */
export const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, '\\$&')

// an absent filter is a NULL parameter, so each statement is prepared once
const WHERE = `prunedAt IS NULL
  AND (@personaId IS NULL OR personaId = @personaId)
  AND (@userId IS NULL OR userId = @userId)
  AND (@memoryType IS NULL OR memoryType = @memoryType)
  AND (@visibility IS NULL OR visibility = @visibility)
  AND (@contains IS NULL OR content LIKE '%' || @contains || '%' ESCAPE '\\')`

export function createMemoryAdminList (db: Database.Database) {
  const repository = createMemoryRepository(db)
  const page = db.prepare(`SELECT id FROM Memory WHERE ${WHERE} ORDER BY createdAt DESC, id ASC LIMIT @limit OFFSET @offset`).pluck()
  const count = db.prepare(`SELECT COUNT(*) FROM Memory WHERE ${WHERE}`).pluck()

  return {
    /** one page, newest first, and how many match in all */
    list (filter: MemoryListFilter): { rows: MemoryRow[], total: number } {
      const params = {
        personaId: filter.personaId ?? null,
        userId: filter.userId ?? null,
        memoryType: filter.memoryType ?? null,
        visibility: filter.visibility ?? null,
        contains: filter.contains === undefined ? null : likeLiteral(filter.contains),
      }
      const ids = page.all({ ...params, limit: filter.limit, offset: filter.offset }) as string[]
      const byId = new Map(repository.getMany(ids).map((m) => [m.id, m]))
      const rows = ids.flatMap((id) => { const m = byId.get(id); return m ? [m] : [] })
      return { rows, total: count.get(params) as number }
    },
  }
}
