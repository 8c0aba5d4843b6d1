import type { UserDataRepository } from './repository.ts'
import type { EraseReceipt, UserExport } from './schemas.ts'

// A user's data rights (issue 16 item 6): everything stored about one user, as JSON, and erasing it with a
// receipt. The rows go in one transaction; then the vector index loses the erased memories' vectors.

/** what the vector index offers an erase */
export interface ErasableIndex {
  readonly kind: string
  remove (ids: string[]): Promise<void>
}

export interface UserDataDeps {
  repository: UserDataRepository
  index: ErasableIndex
  /** the personas the user created lost their owner in the database: the persona cache follows */
  disowned: (personaIds: string[]) => Promise<void>
  /** the user's rows are gone: caches of them (API keys, relationships) forget the user */
  erased: (userId: string) => Promise<void>
  log: { warn (obj: object, msg?: string): void }
  now?: () => number
}

export function createUserDataService ({ repository, index, disowned, erased: forget, log, now = Date.now }: UserDataDeps) {
  const at = () => new Date(now()).toISOString()
  return {
    /** what erasing the user would take now (a dry run) */
    async dryRun (userId: string): Promise<EraseReceipt> {
      return { user_id: userId, dry_run: true, counts: await repository.counts(userId) }
    },

    /** Everything stored about the user; API keys as metadata only (the hash and secret never leave). */
    async export (userId: string): Promise<UserExport> {
      return { user_id: userId, exported_at: at(), ...await repository.records(userId) }
    },

    /**
     * Deletes every row of the user (personas they created stay, without an owner: others may talk to
     * them), then the erased memories' vectors. Returns what went, counted, and when.
     */
    async erase (userId: string): Promise<EraseReceipt> {
      const erased = await repository.erase(userId)
      await disowned(erased.disownedPersonaIds)
      await forget(userId)
      let vectorsRemoved = erased.memoryIds.length
      try {
        if (erased.memoryIds.length > 0) await index.remove(erased.memoryIds)
      } catch (err) {
        // the rows are gone: the vector store drops vectors without rows when it reconciles
        vectorsRemoved = 0
        log.warn({ err, user: userId }, 'erased memories: their vectors are removed when the index re-syncs')
      }
      return {
        user_id: userId, dry_run: false, counts: { ...erased.counts, vector_entries: vectorsRemoved }, erased_at: at(), vector_index: index.kind,
      }
    },
  }
}

export type UserDataService = ReturnType<typeof createUserDataService>
