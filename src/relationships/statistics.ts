import type { Static } from '@sinclair/typebox'
import { compatibilityScore } from './rules.ts'
import type { RelationshipStatistics } from './schemas.ts'
import type { Relationship } from './types.ts'

/** relationship.stats over the relationships given: types, average compatibility, the five most active personas. */
export function relationshipStatistics (all: readonly Relationship[]): Static<typeof RelationshipStatistics> {
  const types: Record<string, number> = {}
  const activity = new Map<string, number>()
  for (const rel of all) {
    types[rel.relationshipType] = (types[rel.relationshipType] ?? 0) + 1
    for (const id of [rel.persona1Id, rel.persona2Id]) activity.set(id, (activity.get(id) ?? 0) + rel.interactionCount)
  }
  return {
    total_relationships: all.length,
    relationship_types: types,
    average_compatibility: all.length === 0 ? 0 : Math.round(all.reduce((n, r) => n + compatibilityScore(r), 0) / all.length * 1000) / 1000,
    total_interactions: all.reduce((n, r) => n + r.interactionCount, 0),
    most_active_personas: [...activity].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([persona_id, interactions]) => ({ persona_id, interactions })),
  }
}
