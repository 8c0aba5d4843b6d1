import type { AppConfig } from '../config/index.ts'
import type { PersonaService } from '../personas/service.ts'
import { createKeyedLock } from '../util/keyed-lock.ts'
import { analyseCompatibility } from './compatibility.ts'
import type { RelationshipRepository } from './repository.ts'
import { applyInteraction, relationshipStrength, type Interaction } from './rules.ts'
import { pairKey, type Relationship, type RelationshipKind } from './types.ts'

export interface RelationshipServiceDeps {
  repository: RelationshipRepository
  personas: PersonaService
  rules: AppConfig['relationships']
  now?: () => number
  /** tells the other instances a pair changed (its cache key; undefined: there are none) */
  announce?: (key: string) => void
}

/**
 * Relationships between personas and between a persona and a user; every interaction is recorded.
 * Every user chat turn reads one (for the prompt) and writes it (after the turn): each pair is cached
 * here, written through, and announced, so another instance drops its copy (forgetPairs).
 */
export function createRelationshipService ({ repository, personas, rules, now = Date.now, announce }: RelationshipServiceDeps) {
  const withLock = createKeyedLock()
  const cache = new Map<string, Relationship | null>()
  const cacheKey = (kind: RelationshipKind, persona1Id: string, persona2Id: string) => `${kind}\u0000${persona1Id}\u0000${persona2Id}`
  // bumped by each forget: a read that was under way then does not cache what it read
  let generation = 0

  const find = async (kind: RelationshipKind, a: string, b: string): Promise<Relationship | null> => {
    const [persona1Id, persona2Id] = pairKey(kind, a, b)
    const key = cacheKey(kind, persona1Id, persona2Id)
    const cached = cache.get(key)
    if (cached !== undefined) return cached
    const seen = generation
    const found = await repository.find(kind, persona1Id, persona2Id)
    if (seen === generation) cache.set(key, found)
    return found
  }

  const forgetWhere = (gone: (rel: Relationship) => boolean) => {
    // absent pairs are dropped too: they may name what is gone, and cost one lookup to learn again
    generation++
    for (const [key, rel] of cache) if (rel === null || gone(rel)) cache.delete(key)
  }

  return {
    find,
    forPersona: (personaId: string, kind: RelationshipKind = 'persona') => repository.listForPersona(personaId, kind),
    all: (kind: RelationshipKind = 'persona') => repository.listAll(kind),
    page: (query: { kind: RelationshipKind, personaId?: string, limit: number, offset: number }) => repository.page(query),

    /** a deleted persona's relationships went with its row */
    forget: (personaId: string) => forgetWhere((rel) => rel.persona1Id === personaId || rel.persona2Id === personaId),
    /** an erased user's relationships went with their rows */
    forgetUser: (userId: string) => forgetWhere((rel) => rel.kind === 'user' && rel.persona2Id === userId),
    /** every pair (announcements of other instances' writes may have been lost) */
    forgetAll (): void { generation++; cache.clear() },
    /** pairs another instance changed (their announced keys) */
    forgetPairs (keys: readonly string[]): void {
      generation++
      for (const key of keys) cache.delete(key)
    },

    /** Applies one interaction (section 5 rules) and records it as an event; changes to one pair never interleave. */
    async interact (kind: RelationshipKind, a: string, b: string, interaction: Interaction): Promise<Relationship> {
      const [persona1Id, persona2Id] = pairKey(kind, a, b)
      const key = cacheKey(kind, persona1Id, persona2Id)
      return withLock(key, async () => {
        const outcome = applyInteraction(await find(kind, persona1Id, persona2Id), interaction, rules, now())
        const saved = await repository.save({ ...outcome.values, kind, persona1Id, persona2Id }, { ...interaction, deltas: outcome.deltas })
        cache.set(key, saved)
        announce?.(key)
        return saved
      })
    },

    async compatibility (a: string, b: string) {
      const [p1, p2] = [personas.get(a), personas.get(b)]
      const existing = await find('persona', p1.id, p2.id)
      return { p1, p2, existing, analysis: analyseCompatibility(p1, p2, existing, rules) }
    },

    /** A line for the persona's prompt: how it feels about the user it is talking to. */
    async feelingsAbout (personaId: string, userId: string): Promise<string | undefined> {
      const rel = await find('user', personaId, userId)
      if (!rel || rel.interactionCount === 0) return undefined
      const warmth = relationshipStrength(rel)
      const feeling = warmth > 0.6 ? 'warm and trusting' : warmth > 0.45 ? 'friendly' : warmth > 0.3 ? 'cautious' : 'wary and cool'
      return `You have talked with this person ${rel.interactionCount} times; your relationship: ${rel.relationshipType.replace('_', ' ')}, ` +
        `and you feel ${feeling} towards them (affinity ${rel.affinity.toFixed(2)}, trust ${rel.trust.toFixed(2)}).`
    },
  }
}

export type RelationshipService = ReturnType<typeof createRelationshipService>
