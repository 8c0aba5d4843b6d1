import { Type } from '@sinclair/typebox'
import { personaOrCurrent } from '../personas/methods.ts'
import { requireChangeable } from '../personas/ownership.ts'
import { PersonaRef } from '../personas/schemas.ts'
import type { PersonaService } from '../personas/service.ts'
import type { RpcContext } from '../rpc/context.ts'
import { defineMethod } from '../rpc/method.ts'
import type { SessionService } from '../sessions/service.ts'
import type { EmotionService } from './emotion-service.ts'
import { EmotionView, PersonaEmotion } from './schemas.ts'
import { emotionView } from './views.ts'

export function createEmotionMethods (deps: { emotions: EmotionService, personas: PersonaService, sessions: SessionService }) {
  const { emotions } = deps
  const target = (ctx: RpcContext, ref?: string) => personaOrCurrent(deps, ctx, ref)

  return [
    defineMethod({
      name: 'emotional.get_state',
      description: 'A persona\'s mood, energy, stress, curiosity and social battery (default: the current persona).',
      readOnly: true,
      params: Type.Object({ persona_id: Type.Optional(PersonaRef) }),
      result: PersonaEmotion,
      handler: async ({ persona_id }, ctx) => {
        const persona = target(ctx, persona_id)
        return { persona_id: persona.id, emotional_state: emotionView(await emotions.get(persona.id)) }
      },
    }),
    defineMethod({
      name: 'emotional.update_state',
      idempotent: true,
      description: 'Set some of a persona\'s emotional values; each is clamped to its range (mood -1..1, the rest 0..1). ' +
        'Client keys may set only the personas they created (others: -32005 forbidden).',
      params: Type.Object({
        persona_id: Type.Optional(PersonaRef),
        mood: Type.Optional(Type.Number()),
        energy_level: Type.Optional(Type.Number()),
        stress_level: Type.Optional(Type.Number()),
        curiosity: Type.Optional(Type.Number()),
        social_battery: Type.Optional(Type.Number()),
      }),
      result: Type.Object({ success: Type.Literal(true), message: Type.String(), updated_state: EmotionView }),
      handler: async (p, ctx) => {
        const persona = requireChangeable(target(ctx, p.persona_id), ctx.connection.user)
        const state = await emotions.set(persona.id, {
          mood: p.mood, energyLevel: p.energy_level, stressLevel: p.stress_level, curiosity: p.curiosity, socialBattery: p.social_battery,
        })
        return { success: true as const, message: `Emotional state of ${persona.name} updated`, updated_state: emotionView(state) }
      },
    }),
  ]
}
