import { Type } from '@sinclair/typebox'
import { currentPersona, personaOrCurrent } from '../personas/methods.ts'
import { requireChangeable } from '../personas/ownership.ts'
import { PersonaRef } from '../personas/schemas.ts'
import type { PersonaService } from '../personas/service.ts'
import type { RpcContext } from '../rpc/context.ts'
import { defineMethod } from '../rpc/method.ts'
import type { SessionService } from '../sessions/service.ts'
import { compatibilityScore } from './rules.ts'
import { relationshipView, type RelationshipService } from './service.ts'

export interface RelationshipMethodDeps {
  relationships: RelationshipService
  personas: PersonaService
  sessions: SessionService
}

const Open = Type.Record(Type.String(), Type.Unknown())
const RelationshipView = Type.Object({
  persona1_id: Type.String(), persona2_id: Type.String(), affinity: Type.Number(), trust: Type.Number(), respect: Type.Number(), intimacy: Type.Number(),
  relationship_type: Type.String(), interaction_count: Type.Integer(), total_interaction_time: Type.Number(), compatibility_score: Type.Number(),
  relationship_strength: Type.Number(), last_interaction: Type.Union([Type.String(), Type.Null()]), first_meeting: Type.String(),
})
const Pair = { persona1_id: PersonaRef, persona2_id: PersonaRef }

export function createRelationshipMethods (deps: RelationshipMethodDeps) {
  const { relationships, personas } = deps
  const target = (ctx: RpcContext, ref?: string) => personaOrCurrent(deps, ctx, ref)

  return [
    defineMethod({
      name: 'relationship.get',
      description: 'The relationship between two personas (order does not matter).',
      readOnly: true,
      params: Type.Object(Pair),
      result: Type.Object({ exists: Type.Boolean(), relationship: Type.Union([RelationshipView, Type.Null()]), message: Type.Optional(Type.String()) }),
      handler: async (p) => {
        const [a, b] = [personas.get(p.persona1_id), personas.get(p.persona2_id)]
        const rel = await relationships.find('persona', a.id, b.id)
        return rel
          ? { exists: true, relationship: relationshipView(rel) }
          : { exists: false, relationship: null, message: `${a.name} and ${b.name} have not met yet` }
      },
    }),
    defineMethod({
      name: 'relationship.with_me',
      description: 'How a persona (default: the current one) stands with you, the caller: the relationship its chats with you have built ' +
        '(persona1_id is the persona, persona2_id your user id), or null before you have talked.',
      readOnly: true,
      idempotent: true,
      params: Type.Object({ persona_id: Type.Optional(PersonaRef) }),
      result: Type.Object({ persona_id: Type.String(), user_id: Type.String(), relationship: Type.Union([RelationshipView, Type.Null()]) }),
      handler: async ({ persona_id }, ctx) => {
        const persona = target(ctx, persona_id)
        const userId = ctx.connection.user.id
        const rel = await relationships.find('user', persona.id, userId)
        return { persona_id: persona.id, user_id: userId, relationship: rel && relationshipView(rel) }
      },
    }),
    defineMethod({
      name: 'relationship.list',
      description: 'Every relationship of a persona (default: the current one) with other personas.',
      readOnly: true,
      params: Type.Object({ persona_id: Type.Optional(PersonaRef) }),
      result: Type.Object({ persona_id: Type.String(), relationships: Type.Array(Open), total_relationships: Type.Integer() }),
      handler: async ({ persona_id }, ctx) => {
        const persona = target(ctx, persona_id)
        const list = (await relationships.forPersona(persona.id)).map((rel) => {
          const { persona1_id, persona2_id, first_meeting, total_interaction_time, relationship_strength, ...rest } = relationshipView(rel)
          return { other_persona_id: persona1_id === persona.id ? persona2_id : persona1_id, ...rest, relationship_strength }
        })
        return { persona_id: persona.id, relationships: list, total_relationships: list.length }
      },
    }),
    defineMethod({
      name: 'relationship.compatibility',
      description: 'How well two personas would get on: personality, social standing, shared interests and history, with suggestions.',
      readOnly: true,
      params: Type.Object(Pair),
      result: Type.Object({
        persona1: Type.Object({ id: Type.String(), name: Type.String() }), persona2: Type.Object({ id: Type.String(), name: Type.String() }),
        compatibility_analysis: Open, interaction_suggestions: Open, existing_relationship: Type.Boolean(),
      }),
      handler: async (p) => {
        const { p1, p2, existing, analysis } = await relationships.compatibility(p.persona1_id, p.persona2_id)
        return { persona1: { id: p1.id, name: p1.name }, persona2: { id: p2.id, name: p2.name }, ...analysis, existing_relationship: existing !== null }
      },
    }),
    defineMethod({
      name: 'relationship.stats',
      description: 'Relationships across all personas: types, average compatibility, the most active personas.',
      readOnly: true,
      params: Type.Object({}),
      result: Type.Object({ relationship_statistics: Open, timestamp: Type.String({ format: 'date-time' }) }),
      handler: async () => {
        const all = await relationships.all()
        const types: Record<string, number> = {}
        const activity = new Map<string, number>()
        for (const rel of all) {
          types[rel.relationshipType] = (types[rel.relationshipType] ?? 0) + 1
          for (const id of [rel.persona1Id, rel.persona2Id]) activity.set(id, (activity.get(id) ?? 0) + rel.interactionCount)
        }
        return {
          relationship_statistics: {
            total_relationships: all.length,
            relationship_types: types,
            average_compatibility: all.length === 0 ? 0 : Math.round(all.reduce((n, r) => n + compatibilityScore(r), 0) / all.length * 1000) / 1000,
            total_interactions: all.reduce((n, r) => n + r.interactionCount, 0),
            most_active_personas: [...activity].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([persona_id, interactions]) => ({ persona_id, interactions })),
          },
          timestamp: new Date().toISOString(),
        }
      },
    }),
    defineMethod({
      name: 'relationship.update',
      description: 'Record an interaction between two personas and apply it to their relationship (section 5 rules). ' +
        'Client keys may do so only between personas they created (otherwise -32005 forbidden).',
      params: Type.Object({
        ...Pair,
        interaction_quality: Type.Number({ minimum: -1, maximum: 1, default: 0 }),
        duration_minutes: Type.Number({ minimum: 0, maximum: 1440, default: 5 }),
        context: Type.String({ minLength: 1, maxLength: 64, default: 'conversation', description: 'conflict, collaboration, casual, deep_conversation, professional, or any other' }),
      }),
      result: Type.Object({ success: Type.Literal(true), message: Type.String(), interaction_processed: Open, updated_relationship: Open }),
      handler: async (p, ctx) => {
        // the relationship is both personas' shared state: the caller must be allowed to change each
        const changeable = (ref: string) => requireChangeable(personas.get(ref), ctx.connection.user)
        const [a, b] = [changeable(p.persona1_id), changeable(p.persona2_id)]
        const rel = await relationships.interact('persona', a.id, b.id, { quality: p.interaction_quality, minutes: p.duration_minutes, context: p.context })
        const view = relationshipView(rel)
        return {
          success: true as const,
          message: `Relationship between ${a.name} and ${b.name} updated`,
          interaction_processed: { quality: p.interaction_quality, duration_minutes: p.duration_minutes, context: p.context },
          updated_relationship: { affinity: view.affinity, trust: view.trust, respect: view.respect, intimacy: view.intimacy, relationship_type: view.relationship_type, compatibility_score: view.compatibility_score },
        }
      },
    }),
    defineMethod({
      name: 'persona.relationship',
      description: 'The current persona\'s relationship with another persona, or all of its relationships.',
      readOnly: true,
      params: Type.Object({ target_persona: Type.Optional(PersonaRef) }),
      result: Open,
      handler: async ({ target_persona }, ctx) => {
        const persona = currentPersona(deps, ctx)
        if (target_persona === undefined) {
          return { current_persona: persona.id, relationships: (await relationships.forPersona(persona.id)).map(relationshipView) }
        }
        const other = personas.get(target_persona)
        const rel = await relationships.find('persona', persona.id, other.id)
        return { current_persona: persona.id, target_persona: other.id, relationship: rel && relationshipView(rel) }
      },
    }),
  ]
}
