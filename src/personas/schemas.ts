import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { ConditionView } from './condition-view.ts'
import { PRIORITIES } from './state.ts'

// Wire shapes of personas (snake_case, original-api.md), shared by the JSON-RPC methods,
// the admin API and the MCP tools.

const Score = Type.Integer({ minimum: 0, maximum: 100 })
export const Scores = Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Score)
export const PriorityName = Type.Union(PRIORITIES.map((p) => Type.Literal(p)))

export const PersonaName = Type.String({ minLength: 1, maxLength: 64, pattern: '^\\S(.*\\S)?$', description: 'unique, case-insensitively' })
export const PersonaRef = Type.String({ minLength: 1, maxLength: 128, description: 'persona id or name (case-insensitive)' })

export const InteractionStateView = Type.Object({
  interest_level: Type.Integer(),
  interaction_fatigue: Type.Integer(),
  current_priority: PriorityName,
  available_time: Type.Integer({ description: 'seconds' }),
  social_energy: Type.Integer(),
  cooldown_until: Type.Number({ description: 'epoch seconds' }),
  cooldown_remaining: Type.Number({ description: 'seconds' }),
  is_available: Type.Boolean(),
})

export const ProfileView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  backstory: Type.String(),
  speaking_style: Type.String(),
  personality_traits: Scores,
  topic_preferences: Scores,
  charisma: Type.Integer(),
  intelligence: Type.Integer(),
  social_rank: Type.String(),
  built_in: Type.Boolean(),
  owner_id: Type.Union([Type.String(), Type.Null()], { description: 'the user who created it and may change it; null: built-in, admins only' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
})

export const PersonaView = Type.Composite([ProfileView, Type.Object({ interaction_state: InteractionStateView })])

export const PersonaSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  owner_id: Type.Union([Type.String(), Type.Null()]),
  available: Type.Boolean(),
  social_energy: Type.Integer(),
  current_priority: PriorityName,
  cooldown_remaining: Type.Number({ description: 'seconds' }),
})

const StateFields = {
  social_energy: Type.Optional(Type.Integer({ minimum: 0, maximum: 200 })),
  available_time: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
  current_priority: Type.Optional(PriorityName),
  interest_level: Type.Optional(Score),
}

const ProfileFields = {
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  backstory: Type.Optional(Type.String({ maxLength: 8000 })),
  speaking_style: Type.Optional(Type.String({ maxLength: 2000 })),
  personality_traits: Type.Optional(Scores),
  topic_preferences: Type.Optional(Scores),
  charisma: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  intelligence: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  social_rank: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  ...StateFields,
}

export const PersonaCreateBody = Type.Object({ name: PersonaName, ...ProfileFields })
export const PersonaPatchBody = Type.Object({ name: Type.Optional(PersonaName), ...ProfileFields })

export const PersonaIdParam = Type.Object({ persona_id: PersonaRef })
export const OptionalPersonaParam = Type.Object({ persona_id: Type.Optional(PersonaRef) })

export const PersonaList = Type.Object({ personas: Type.Array(PersonaSummary), total_count: Type.Integer(), available_count: Type.Integer() })
/** flat, and under `persona` too: clients of the earlier server read result.persona.id */
export const PersonaGetResult = Type.Composite([PersonaView, Type.Object({ persona: PersonaView })])
export const PersonaSwitched = Type.Object({
  persona_id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  status: Type.Literal('active'),
  social_energy: Type.Integer(),
  available_time: Type.Integer(),
  current_priority: PriorityName,
})
/** persona.status; the memory figures are the memory side's shape, handed in (memory imports personas, not back) */
export const PersonaStatus = <M extends TSchema>(memoryStats: M) => Type.Object({
  persona: Type.Omit(PersonaView, ['interaction_state']),
  interaction_state: InteractionStateView,
  memory_stats: memoryStats,
  condition: ConditionView,
})
export const PersonaCreated = Type.Object({ persona_id: Type.String(), name: Type.String(), created: Type.Literal(true) })
export const PersonaUpdated = Type.Object({ persona_id: Type.String(), updated: Type.Literal(true), persona: PersonaView })
export const PersonaRemoved = Type.Object({ persona_id: Type.String(), name: Type.String(), deleted: Type.Literal(true), message: Type.String() })
/** the admin API's answer to a delete */
export const PersonaDeleted = Type.Object({ id: Type.String(), name: Type.String(), deleted: Type.Literal(true) })

export type PersonaCreateBody = Static<typeof PersonaCreateBody>
export type PersonaPatchBody = Static<typeof PersonaPatchBody>
export type PersonaView = Static<typeof PersonaView>
export type PersonaSummary = Static<typeof PersonaSummary>
