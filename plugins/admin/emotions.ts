import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { emotionView } from '../../src/relationships/emotion-service.ts'
import type { EmotionValues } from '../../src/relationships/emotions.ts'
import { errorResponses, PatchBody, rpcResultSchema } from './common.ts'

const tags = ['emotions']
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, description: 'persona id or name' }) })
const Fraction = Type.Number({ minimum: 0, maximum: 1 })

// stricter than emotional.update_state, which clamps: an operator's out-of-range value is a mistake to report
const EmotionPatch = PatchBody({
  mood: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })),
  energy_level: Type.Optional(Fraction),
  stress_level: Type.Optional(Fraction),
  curiosity: Type.Optional(Fraction),
  social_battery: Type.Optional(Fraction),
}, { mood: 0.8, stress_level: 0.1 })

/** /admin/v1/personas/{id}/emotional-state: a persona's mood, read, set and reset. */
const emotionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { personas, emotions } = app
  // the emotional.get_state wire shape, no second copy
  const State = rpcResultSchema(app.rpc.registry, 'emotional.get_state')
  const response = { 200: State, ...errorResponses(400, 404) }
  const reply = (personaId: string, state: Parameters<typeof emotionView>[0]) => ({ persona_id: personaId, emotional_state: emotionView(state) })

  app.get('/personas/:id/emotional-state', {
    schema: { tags, summary: 'A persona\'s mood, energy, stress, curiosity and social battery now', params: Params, response },
  }, async (request) => {
    const { id } = personas.get(request.params.id)
    return reply(id, await emotions.get(id))
  })

  app.patch('/personas/:id/emotional-state', {
    schema: { tags, summary: 'Set some of a persona\'s emotional values (mood -1..1, the rest 0..1)', params: Params, body: EmotionPatch, response },
  }, async (request) => {
    const { id } = personas.get(request.params.id)
    const b = request.body
    const values: Partial<EmotionValues> = {
      mood: b.mood, energyLevel: b.energy_level, stressLevel: b.stress_level, curiosity: b.curiosity, socialBattery: b.social_battery,
    }
    return reply(id, await emotions.set(id, values))
  })

  app.post('/personas/:id/emotional-state/reset', {
    schema: { tags, summary: 'Put a persona\'s emotional state back to the configured initial values', params: Params, response },
  }, async (request) => {
    const { id } = personas.get(request.params.id)
    return reply(id, await emotions.set(id, app.config.emotions.initial))
  })
}

export default emotionRoutes
