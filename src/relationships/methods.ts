import { Type } from '@sinclair/typebox'
import { currentPersona, personaOrCurrent } from '../personas/methods.ts'
import { requireChangeable } from '../personas/ownership.ts'
import { PersonaRef } from '../personas/schemas.ts'
import type { PersonaService } from '../personas/service.ts'
import type { RpcContext } from '../rpc/context.ts'
import { defineMethod } from '../rpc/method.ts'
import type { SessionService } from '../sessions/service.ts'
import {
  CompatibilityView, InteractionProcessed, RelationshipPair, RelationshipStatistics, RelationshipSummary, RelationshipView, UpdatedRelationship,
} from './schemas.ts'
import type { RelationshipService } from './service.ts'
import { relationshipStatistics } from './statistics.ts'
import { compatibilityView, relationshipSummary, relationshipView, updatedRelationshipView } from './views.ts'

export interface RelationshipMethodDeps {
  relationships: RelationshipService
  personas: PersonaService
  sessions: SessionService
}

const MaybeRelationship = Type.Union([RelationshipView, Type.Null()])

export function createRelationshipMethods (deps: RelationshipMethodDeps) {
  const { relationships, personas } = deps
  const target = (ctx: RpcContext, ref?: string) => personaOrCurrent(deps, ctx, ref)

  return [
    defineMethod({
      name: 'relationship.get',
      description: 'The relationship between two personas (order does not matter).',
      readOnly: true,
      params: RelationshipPair,
      result: Type.Object({ exists: Type.Boolean(), relationship: MaybeRelationship, message: Type.Optional(Type.String()) }),
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
      result: Type.Object({ persona_id: Type.String(), user_id: Type.String(), relationship: MaybeRelationship }),
      handler: async ({ persona_id }, ctx) => {
        const persona = target(ctx, persona_id)
        const userId = ctx.connection.user.id
        const rel = await relationships.find('user', persona.id, userId)
        return { persona_id: persona.id, user_id: userId, relationship: rel && relationshipView(rel) }
      },
    }),
    defineMethod({
      name: 'relationship.list',
      description: 'Every relationship of a persona (default: the current one) with other personas, most recent interaction first.',
      readOnly: true,
      params: Type.Object({ persona_id: Type.Optional(PersonaRef) }),
      result: Type.Object({ persona_id: Type.String(), relationships: Type.Array(RelationshipSummary), total_relationships: Type.Integer() }),
      handler: async ({ persona_id }, ctx) => {
        const persona = target(ctx, persona_id)
        const list = (await relationships.forPersona(persona.id)).map((rel) => relationshipSummary(rel, persona.id))
        return { persona_id: persona.id, relationships: list, total_relationships: list.length }
      },
    }),
    defineMethod({
      name: 'relationship.compatibility',
      description: 'How well two personas would get on: personality, social standing, shared interests and history, with suggestions.',
      readOnly: true,
      params: RelationshipPair,
      result: CompatibilityView,
      handler: async (p) => compatibilityView(await relationships.compatibility(p.persona1_id, p.persona2_id)),
    }),
    defineMethod({
      name: 'relationship.stats',
      description: 'Relationships across all personas: types, average compatibility, the most active personas.',
      readOnly: true,
      params: Type.Object({}),
      result: Type.Object({ relationship_statistics: RelationshipStatistics, timestamp: Type.String({ format: 'date-time' }) }),
      handler: async () => ({ relationship_statistics: relationshipStatistics(await relationships.all()), timestamp: new Date().toISOString() }),
    }),
    defineMethod({
      name: 'relationship.update',
      description: 'Record an interaction between two personas and apply it to their relationship (section 5 rules). ' +
        'Client keys may do so only between personas they created (otherwise -32005 forbidden).',
      params: Type.Object({
        ...RelationshipPair.properties,
        interaction_quality: Type.Number({ minimum: -1, maximum: 1, default: 0 }),
        duration_minutes: Type.Number({ minimum: 0, maximum: 1440, default: 5 }),
        context: Type.String({ minLength: 1, maxLength: 64, default: 'conversation', description: 'conflict, collaboration, casual, deep_conversation, professional, or any other' }),
      }),
      result: Type.Object({ success: Type.Literal(true), message: Type.String(), interaction_processed: InteractionProcessed, updated_relationship: UpdatedRelationship }),
      handler: async (p, ctx) => {
        // the relationship is both personas' shared state: the caller must be allowed to change each
        const changeable = (ref: string) => requireChangeable(personas.get(ref), ctx.connection.user)
        const [a, b] = [changeable(p.persona1_id), changeable(p.persona2_id)]
        const rel = await relationships.interact('persona', a.id, b.id, { quality: p.interaction_quality, minutes: p.duration_minutes, context: p.context })
        return {
          success: true as const,
          message: `Relationship between ${a.name} and ${b.name} updated`,
          interaction_processed: { quality: p.interaction_quality, duration_minutes: p.duration_minutes, context: p.context },
          updated_relationship: updatedRelationshipView(rel),
        }
      },
    }),
    defineMethod({
      name: 'persona.relationship',
      description: 'The current persona\'s relationship with another persona (target_persona, relationship), or all of its ' +
        'relationships with other personas (relationships) when no target is given.',
      readOnly: true,
      params: Type.Object({ target_persona: Type.Optional(PersonaRef) }),
      result: Type.Object({
        current_persona: Type.String(),
        target_persona: Type.Optional(Type.String({ description: 'with a target: its id' })),
        relationship: Type.Optional(MaybeRelationship),
        relationships: Type.Optional(Type.Array(RelationshipView, { description: 'without a target: every relationship, most recent first' })),
      }),
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
