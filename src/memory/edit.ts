import { mayChangePersona } from '../personas/ownership.ts'
import type { Persona } from '../personas/types.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import type { MemoryRepository, MemoryRow } from './repository.ts'
import type { Embedder, VectorIndex, Visibility } from './types.ts'

// Editing and deleting single memories (issue 16 item 5). The database first, then the vector index: a row whose
// vector could not be pushed keeps indexedAt NULL and the vector store re-syncs it, as memory.store does.

export interface MemoryPatch {
  content?: string
  importance?: number
  memoryType?: string
  visibility?: Visibility
  /** pinned: never decayed and never pruned (metadata.pinned, the flag the decay SQL already honours) */
  protected?: boolean
}

export interface MemoryEditorDeps {
  repository: MemoryRepository
  /** a live memory as clients see it (MemoryService.get: recalls not yet written included) */
  find: (id: string) => Promise<MemoryRow | undefined>
  index: VectorIndex
  embedder: Embedder
  findPersona: (id: string) => Persona | undefined
  log: { warn (obj: object, msg?: string): void }
}

export const isProtected = (m: Pick<MemoryRow, 'metadata'>) => m.metadata.pinned === true

export function createMemoryEditor ({ repository, find, index, embedder, findPersona, log }: MemoryEditorDeps) {
  /**
   * The memory this user may change. Another user's memory is "not found" (its existence is not theirs to
   * learn); a persona's own memory (lore, no user) may be changed by whoever may change that persona.
   */
  async function editable (id: string, user: UserIdentity): Promise<MemoryRow> {
    const row = await find(id)
    const notFound = () => domainError(ErrorCode.NotFound, `Memory not found: ${id}`, { memory_id: id })
    if (!row) throw notFound()
    if (user.scope === 'admin' || row.userId === user.id) return row
    if (row.userId !== null) throw notFound()
    const persona = findPersona(row.personaId)
    if (persona && mayChangePersona(persona, user)) return row
    throw domainError(ErrorCode.Forbidden, 'This memory belongs to the persona itself: only its owner or an admin key may change it', { memory_id: id })
  }

  async function reindex (row: MemoryRow, vector: Float32Array | undefined): Promise<void> {
    try {
      const [v] = vector ? [vector] : await embedder.embed([row.content])
      if (!v) throw new Error('the embedder returned no vector')
      await index.upsert([{ id: row.id, personaId: row.personaId, userId: row.userId, visibility: row.visibility, vector: v }])
    } catch (err) {
      log.warn({ err, memory: row.id }, 'memory updated, its vector is pending')
    }
  }

  return {
    editable,

    async update (id: string, patch: MemoryPatch, user: UserIdentity): Promise<MemoryRow> {
      const row = await editable(id, user)
      // the new content's vector first: an embedder failure leaves the memory as it was
      const vector = patch.content !== undefined && patch.content !== row.content ? (await embedder.embed([patch.content]))[0] : undefined
      if (patch.content !== undefined && patch.content !== row.content && !vector) throw new Error('the embedder returned no vector')
      const metadata = { ...row.metadata }
      if (patch.protected === true) metadata.pinned = true
      if (patch.protected === false) delete metadata.pinned
      const importance = patch.importance ?? row.importance
      await repository.update(id, {
        content: patch.content ?? row.content,
        importance,
        baseImportance: patch.importance ?? row.baseImportance,
        memoryType: patch.memoryType ?? row.memoryType,
        visibility: patch.visibility ?? row.visibility,
        metadata,
        ...(vector ? { embedding: { vector, model: embedder.id } } : {}),
      })
      const updated = await find(id) as MemoryRow
      await reindex(updated, vector)
      return updated
    },

    async remove (id: string, user: UserIdentity): Promise<MemoryRow> {
      const row = await editable(id, user)
      await repository.remove(id)
      // the database is the truth: an index that cannot be reached now drops the vector when it re-syncs
      await index.remove([id]).catch((err: unknown) => log.warn({ err, memory: id }, 'deleted memory: its vector is removed later'))
      return row
    },
  }
}

export type MemoryEditor = ReturnType<typeof createMemoryEditor>
