import type { AppConfig } from '../config/index.ts'
import type { PersonaService } from '../personas/service.ts'
import { analyseCompatibility } from './compatibility.ts'
import type { Relationship, RelationshipKind, RelationshipRepository } from './repository.ts'
import { applyInteraction, compatibilityScore, relationshipStrength, type Interaction } from './rules.ts'
import { createKeyedLock } from '../util/keyed-lock.ts'

export interface RelationshipServiceDeps {
  repository: RelationshipRepository
  personas: PersonaService
  rules: AppConfig['relationships']
  now?: () => number
}

/** Relationships between personas and between a persona and a user; every interaction is recorded. */
export function createRelationshipService ({ repository, personas, rules, now = Date.now }: RelationshipServiceDeps) {
  const withLock = createKeyedLock()

  return {
    find: (kind: RelationshipKind, a: string, b: string) => repository.find(kind, a, b),
    forPersona: (personaId: string, kind?: RelationshipKind) => repository.forPersona(personaId, kind),
    all: (kind?: RelationshipKind) => repository.all(kind),
    /** a deleted persona's relationships went with its row */
    forget: (personaId: string) => repository.forget(personaId),

    /** Applies one interaction (section 5 rules) and records it as an event; changes to one pair never interleave. */
    async interact (kind: RelationshipKind, a: string, b: string, interaction: Interaction): Promise<Relationship> {
      return withLock(`${kind}:${[a, b].sort().join(':')}`, async () => {
        const outcome = applyInteraction(await repository.find(kind, a, b), interaction, rules, now())
        return repository.save(kind, a, b, outcome.values, { ...interaction, deltas: outcome.deltas })
      })
    },

    async compatibility (a: string, b: string) {
      const [p1, p2] = [personas.get(a), personas.get(b)]
      const existing = await repository.find('persona', p1.id, p2.id)
      return { p1, p2, existing, analysis: analyseCompatibility(p1, p2, existing, rules) }
    },

    /** A line for the persona's prompt: how it feels about the user it is talking to. */
    async feelingsAbout (personaId: string, userId: string): Promise<string | undefined> {
      const rel = await repository.find('user', personaId, userId)
      if (!rel || rel.interactionCount === 0) return undefined
      const warmth = relationshipStrength(rel)
      const feeling = warmth > 0.6 ? 'warm and trusting' : warmth > 0.45 ? 'friendly' : warmth > 0.3 ? 'cautious' : 'wary and cool'
      return `You have talked with this person ${rel.interactionCount} times; your relationship: ${rel.relationshipType.replace('_', ' ')}, ` +
        `and you feel ${feeling} towards them (affinity ${rel.affinity.toFixed(2)}, trust ${rel.trust.toFixed(2)}).`
    },
  }
}

export type RelationshipService = ReturnType<typeof createRelationshipService>

/** The wire shape of a relationship (original-api.md relationship.get). */
export function relationshipView (rel: Relationship) {
  return {
    persona1_id: rel.persona1Id,
    persona2_id: rel.persona2Id,
    affinity: rel.affinity,
    trust: rel.trust,
    respect: rel.respect,
    intimacy: rel.intimacy,
    relationship_type: rel.relationshipType,
    interaction_count: rel.interactionCount,
    total_interaction_time: rel.totalInteractionTime,
    compatibility_score: Math.round(compatibilityScore(rel) * 1000) / 1000,
    relationship_strength: Math.round(relationshipStrength(rel) * 1000) / 1000,
    last_interaction: rel.lastInteraction?.toISOString() ?? null,
    first_meeting: rel.firstMeeting.toISOString(),
  }
}
