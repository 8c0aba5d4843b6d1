import type { MemoryAccess, MemoryRepository, MemoryRow } from './repository.ts'

// Recalls of memories (access counts and times), batched: a search notes its hits here instead of writing
// to the database on its way back, and the notes are written in one call every `flushMs` and on close.
// Reads add what is noted but not yet written (`overlay`), so counts never lag behind for a client.

export interface AccessLogDeps {
  repository: Pick<MemoryRepository, 'recordAccesses'>
  log: { warn (obj: object, msg?: string): void }
  flushMs?: number
}

export function createAccessLog ({ repository, log, flushMs = 250 }: AccessLogDeps) {
  let pending = new Map<string, { count: number, at: number }>()
  let timer: NodeJS.Timeout | undefined
  let writing: Promise<void> = Promise.resolve()

  async function write (batch: Map<string, { count: number, at: number }>): Promise<void> {
    try {
      await repository.recordAccesses([...batch].map(([id, a]): MemoryAccess => ({ id, ...a })))
    } catch (err) {
      // kept for the next flush: a recall is not lost because one write failed
      for (const [id, a] of batch) note(id, a.count, a.at)
      schedule()
      log.warn({ err, memories: batch.size }, 'access counts not written; retried with the next batch')
    }
  }

  function note (id: string, count: number, at: number): void {
    const seen = pending.get(id)
    if (seen === undefined) pending.set(id, { count, at })
    else { seen.count += count; seen.at = Math.max(seen.at, at) }
  }

  function schedule (): void {
    if (timer !== undefined || pending.size === 0) return
    timer = setTimeout(() => { void accessLog.flush() }, flushMs)
    timer.unref()
  }

  const accessLog = {
    /** these memories were recalled at `at` */
    record (ids: string[], at: number): void {
      for (const id of ids) note(id, 1, at)
      schedule()
    },

    /** rows as they will be once the noted recalls are written */
    overlay<T extends Pick<MemoryRow, 'id' | 'accessCount' | 'lastAccessedAt'>> (row: T): T {
      const seen = pending.get(row.id)
      if (seen === undefined) return row
      return { ...row, accessCount: row.accessCount + seen.count, lastAccessedAt: Math.max(row.lastAccessedAt ?? 0, seen.at) }
    },

    /** writes every noted recall; resolves when they (and earlier batches) are stored */
    flush (): Promise<void> {
      clearTimeout(timer)
      timer = undefined
      if (pending.size > 0) {
        // taken out as the write starts (SQLite writes before the call returns), so no read counts a recall
        // twice or misses it
        const batch = pending
        pending = new Map()
        writing = Promise.all([writing, write(batch)]).then(() => undefined)
      }
      return writing
    },
  }
  return accessLog
}

export type AccessLog = ReturnType<typeof createAccessLog>
