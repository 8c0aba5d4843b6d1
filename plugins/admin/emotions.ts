import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createRelationshipAdmin } from '../../src/relationships/admin.ts'
import { EmotionView, PersonaEmotion } from '../../src/relationships/schemas.ts'
import { errorResponses, PatchBody } from './common.ts'

const tags = ['emotions']
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, description: 'persona id or name' }) })

// the wire shape's own ranges, every key optional: stricter than emotional.update_state, which clamps,
// because an operator's out-of-range value is a mistake to report
const { mood, energy_level, stress_level, curiosity, social_battery } = EmotionView.properties
const EmotionPatch = PatchBody({
  mood: Type.Optional(mood),
  energy_level: Type.Optional(energy_level),
  stress_level: Type.Optional(stress_level),
  curiosity: Type.Optional(curiosity),
  social_battery: Type.Optional(social_battery),
}, { mood: 0.8, stress_level: 0.1 })

/** /admin/v1/personas/{id}/emotional-state: a persona's mood, read, set and reset. */
const emotionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = createRelationshipAdmin(app)
  const response = { 200: PersonaEmotion, ...errorResponses(400, 404) }

  app.get('/personas/:id/emotional-state', {
    schema: { tags, summary: 'A persona\'s mood, energy, stress, curiosity and social battery now', params: Params, response },
  }, async ({ params }) => admin.emotion(params.id))

  app.patch('/personas/:id/emotional-state', {
    schema: { tags, summary: 'Set some of a persona\'s emotional values (mood -1..1, the rest 0..1)', params: Params, body: EmotionPatch, response },
  }, async ({ params, body }) => admin.setEmotion(params.id, body))

  app.post('/personas/:id/emotional-state/reset', {
    schema: { tags, summary: 'Put a persona\'s emotional state back to the configured initial values', params: Params, response },
  }, async ({ params }) => admin.resetEmotion(params.id))
}

export default emotionRoutes
