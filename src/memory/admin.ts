import type { Static } from '@sinclair/typebox'
import type { PersonaService } from '../personas/service.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { MemoryEditor } from './edit.ts'
import type { MaintenanceHistory } from './maintenance-history.ts'
import type { PruneParams } from './maintenance-schemas.ts'
import type { MemoryMaintenance } from './maintenance.ts'
import type { MemoryRepository } from './repository.ts'
import {
  adminMemoryView, editedMemoryView, toCamelKeys, toSnakeKeys,
  type AdminListQuery, type AdminSearchQuery, type AdminStoreBody, type MemoryPatchParams,
} from './schemas.ts'
import type { MemoryService } from './service.ts'
import type { MemorySettings, TunableSection } from './settings.ts'
import type { MemoryStats } from './stats.ts'
import type { Visibility } from './types.ts'

// What the admin API does with memories, one function per route: an operator sees and changes every
// user's memories, so every count here is of all of them (viewer null).

export interface MemoryAdminDeps {
  memory: MemoryService
  repository: Pick<MemoryRepository, 'list'>
  editor: MemoryEditor
  stats: MemoryStats
  maintenance: MemoryMaintenance
  history: MaintenanceHistory
  settings: MemorySettings
  personas: Pick<PersonaService, 'get' | 'list'>
}

// an operator may change any memory: the admin scope is what the editor checks
const OPERATOR = { id: 'admin', scope: 'admin' } as const

export function createMemoryAdmin ({ memory, repository, editor, stats, maintenance, history, settings, personas }: MemoryAdminDeps) {
  const personaId = (ref: string) => personas.get(ref).id
  const find = async (id: string) => {
    const row = await memory.get(id)
    if (!row) throw domainError(ErrorCode.NotFound, `Memory not found: ${id}`, { memory_id: id })
    return row
  }

  return {
    async list (q: Static<typeof AdminListQuery> & { limit: number, offset: number }) {
      await memory.flushAccesses()
      const { rows, total } = await repository.list({
        personaId: q.persona_id === undefined ? undefined : personaId(q.persona_id),
        userId: q.user_id, memoryType: q.memory_type, visibility: q.visibility, contains: q.contains, limit: q.limit, offset: q.offset,
      })
      return { items: rows.map(adminMemoryView), total, limit: q.limit, offset: q.offset }
    },

    /** an operator's search does not count as an access */
    async search (q: Static<typeof AdminSearchQuery>) {
      const hits = await memory.search({
        personaIds: [personaId(q.persona_id)], userId: q.user_id, query: q.query, limit: q.n_results,
        minImportance: q.min_importance, memoryType: q.memory_type, touch: false,
      })
      return { memories: hits.map(adminMemoryView), query: q.query, result_count: hits.length }
    },

    async overview () {
      const rows = await stats.everyPersona(personas.list(), null)
      return {
        personas: rows,
        total_memories: rows.reduce((n, r) => n + r.stats.total_memories, 0),
        shared: await stats.shared(null),
        embedder: memory.embedderId,
        vector_index: { ...memory.indexStatus() },
        timestamp: new Date().toISOString(),
      }
    },

    get: async (id: string) => adminMemoryView(await find(id)),

    async store (b: Static<typeof AdminStoreBody>) {
      const { id } = await memory.store({
        personaId: personaId(b.persona_id), userId: b.user_id ?? null, content: b.content, memoryType: b.memory_type, importance: b.importance,
        emotionalValence: b.emotional_valence, visibility: b.visibility as Visibility | undefined, relatedPersonas: b.related_personas, metadata: b.metadata,
      })
      return adminMemoryView(await find(id))
    },

    async update (id: string, b: Static<typeof MemoryPatchParams>) {
      const row = await editor.update(id, {
        content: b.content, importance: b.importance, memoryType: b.memory_type, visibility: b.visibility as Visibility | undefined, protected: b.protected,
      }, OPERATOR)
      return editedMemoryView(row)
    },

    /** for good (row and vector), unlike pruning */
    async remove (id: string) {
      await editor.remove(id, OPERATOR)
      return { id, deleted: true as const }
    },

    prune: ({ persona_id, force }: Static<typeof PruneParams>) =>
      persona_id === undefined ? maintenance.pruneAll() : maintenance.prune(personaId(persona_id), force, 'manual'),
    recommendations: (ref: string) => maintenance.recommendations(personaId(ref)),
    pruneRuns: ({ persona_id, limit, offset }: { persona_id?: string, limit: number, offset: number }) =>
      history.pruneRuns({ personaId: persona_id === undefined ? undefined : personaId(persona_id), limit, offset }),
    restore: (pruneRunId: string) => maintenance.restore(pruneRunId),

    /** scheduled decay on or off (persisted) */
    async setDecay (enabled: boolean) {
      await settings.update('decay', { enabled })
      return history.decayState()
    },
    decayOverview: () => history.decayOverview(),

    /** a section in force, in the JSON-RPC setters' snake_case */
    settings: (section: TunableSection) => toSnakeKeys(settings.current[section]),
    updateSettings: async (section: TunableSection, patch: Record<string, unknown>) => toSnakeKeys(await settings.update(section, toCamelKeys(patch))),
  }
}

export type MemoryAdmin = ReturnType<typeof createMemoryAdmin>
