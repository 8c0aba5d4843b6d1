import type { Static } from '@sinclair/typebox'
import type { PersonaService } from '../personas/service.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { EmotionService } from './emotion-service.ts'
import type { AdminRelationshipView, CompatibilityView, PersonaEmotion } from './schemas.ts'
import type { RelationshipService } from './service.ts'
import type { Relationship, RelationshipKind } from './types.ts'
import { compatibilityView, emotionView, relationshipView } from './views.ts'

export interface RelationshipAdminDeps {
  relationships: RelationshipService
  emotions: EmotionService
  personas: PersonaService
}

/** The emotional values an operator sets, as the admin API names them. */
export interface EmotionPatch {
  mood?: number
  energy_level?: number
  stress_level?: number
  curiosity?: number
  social_battery?: number
}

type AdminView = Static<typeof AdminRelationshipView>

/** What the admin API does with relationships and moods: personas named by id or name, wire shapes out. */
export function createRelationshipAdmin ({ relationships, emotions, personas }: RelationshipAdminDeps) {
  const adminView = (rel: Relationship): AdminView => ({ kind: rel.kind, ...relationshipView(rel) })
  const moodOf = async (ref: string, state: (personaId: string) => ReturnType<EmotionService['get']>): Promise<Static<typeof PersonaEmotion>> => {
    const { id } = personas.get(ref)
    return { persona_id: id, emotional_state: emotionView(await state(id)) }
  }

  return {
    async list (query: { kind: RelationshipKind, personaId?: string, limit: number, offset: number }) {
      const personaId = query.personaId === undefined ? undefined : personas.get(query.personaId).id
      const { items, total } = await relationships.page({ ...query, personaId })
      return { items: items.map(adminView), total, limit: query.limit, offset: query.offset }
    },

    /** Two personas' relationship; not found until they have met. */
    async pair (ref1: string, ref2: string): Promise<AdminView> {
      const [a, b] = [personas.get(ref1), personas.get(ref2)]
      const rel = await relationships.find('persona', a.id, b.id)
      if (!rel) throw domainError(ErrorCode.NotFound, `${a.name} and ${b.name} have not met yet`, { persona1_id: a.id, persona2_id: b.id })
      return adminView(rel)
    },

    compatibility: async (ref1: string, ref2: string): Promise<Static<typeof CompatibilityView>> =>
      compatibilityView(await relationships.compatibility(ref1, ref2)),

    emotion: (ref: string) => moodOf(ref, (id) => emotions.get(id)),
    setEmotion: (ref: string, b: EmotionPatch) => moodOf(ref, (id) => emotions.set(id, {
      mood: b.mood, energyLevel: b.energy_level, stressLevel: b.stress_level, curiosity: b.curiosity, socialBattery: b.social_battery,
    })),
    resetEmotion: (ref: string) => moodOf(ref, (id) => emotions.reset(id)),
  }
}

export type RelationshipAdmin = ReturnType<typeof createRelationshipAdmin>
