import type Database from 'better-sqlite3'

/**
 * A value that changes whenever the database may have changed: rows written through this connection
 * (total_changes) or a commit by any other connection, Prisma's included (data_version). Read caches
 * compare it per call: a few microseconds, where the aggregate they hold back costs a millisecond or more.
 */
export function createChangeStamp (db: Database.Database): () => string {
  const own = db.prepare('SELECT total_changes()').pluck()
  const others = db.prepare('PRAGMA data_version').pluck()
  return () => `${own.get() as number}:${others.get() as number}`
}
