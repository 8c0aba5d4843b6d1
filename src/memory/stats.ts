import type { UserIdentity } from '../rpc/caller.ts'
import type { MemoryStatsRepository } from './repository.ts'

// memory.stats and memory.shared_stats in original-api.md's shapes (schemas.ts names them).

/**
 * Whose view the counts of a caller are: an admin key's are of every memory (null), a client's of what it
 * may see: its own memories, public ones and the personas' own (ownerless) lore, never another user's.
 */
export const statsViewer = (user: UserIdentity): string | null => (user.scope === 'admin' ? null : user.id)

const startOfToday = (now: number): number => {
  const today = new Date(now)
  today.setUTCHours(0, 0, 0, 0)
  return today.getTime()
}

export function createMemoryStats (repository: MemoryStatsRepository, now: () => number = Date.now) {
  const stats = {
    /** one persona as one viewer sees it (null: everything, for operators) */
    async persona (personaId: string, viewer: string | null) {
      const started = performance.now()
      const f = await repository.persona(personaId, viewer, startOfToday(now()))
      if (f.total === 0) return { total_memories: 0 }
      return {
        total_memories: f.total,
        avg_importance: Math.round(f.averageImportance * 1000) / 1000,
        memory_types: { ...f.byType },
        high_importance_count: f.highImportance,
        created_today: f.createdSince,
        stats_calculation_time_ms: Math.round((performance.now() - started) * 1000) / 1000,
      }
    },

    async shared (viewer: string | null) {
      const rows = await repository.shared(viewer)
      const sum = (key: 'shared' | 'public' | 'crossReferences') => rows.reduce((n, r) => n + r[key], 0)
      return {
        total_personas: rows.length,
        shared_memories: sum('shared'),
        public_memories: sum('public'),
        cross_references: sum('crossReferences'),
        by_persona: Object.fromEntries(rows.map((r) => [r.personaId, { shared: r.shared, public: r.public, cross_references: r.crossReferences }])),
      }
    },

    /** memory.get_stats and the admin overview: each persona's figures */
    everyPersona (personas: Array<{ id: string, name: string }>, viewer: string | null) {
      return Promise.all(personas.map(async (p) => ({ persona_id: p.id, name: p.name, stats: await stats.persona(p.id, viewer) })))
    },
  }
  return stats
}

export type MemoryStats = ReturnType<typeof createMemoryStats>
