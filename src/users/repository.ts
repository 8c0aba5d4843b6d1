import type { DataCounts, UserRecords } from './schemas.ts'

// What a user's data rights need from the database: every table that carries a user id, in one place.
// Only the implementation (src/store/<database>/users.ts) knows which tables those are.

export interface ErasedRows {
  /** what there was, by kind (vector_entries: the memories that had an embedding) */
  counts: DataCounts
  /** the erased memories, whose vectors the index still holds */
  memoryIds: string[]
  /** the personas the user had created: they stay, without an owner */
  disownedPersonaIds: string[]
}

export interface UserDataRepository {
  /** what an erase would take now */
  counts (userId: string): Promise<DataCounts>
  /** every row about the user, table by table */
  records (userId: string): Promise<UserRecords>
  /** deletes every row of the user and disowns their personas, in one transaction */
  erase (userId: string): Promise<ErasedRows>
}
