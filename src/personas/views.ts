import type { PersonaCreateBody, PersonaPatchBody, PersonaSummary, PersonaView } from './schemas.ts'
import type { PersonaService } from './service.ts'
import type { Persona, PersonaPatch } from './types.ts'

// Conversions between the domain's camelCase personas and the snake_case wire shapes.

export function personaView (persona: Persona, personas: PersonaService): PersonaView {
  const { state } = persona
  return {
    id: persona.id,
    name: persona.name,
    description: persona.description,
    backstory: persona.backstory,
    speaking_style: persona.speakingStyle,
    personality_traits: persona.personalityTraits,
    topic_preferences: persona.topicPreferences,
    charisma: persona.charisma,
    intelligence: persona.intelligence,
    social_rank: persona.socialRank,
    built_in: persona.builtIn,
    owner_id: persona.ownerId,
    created_at: persona.createdAt.toISOString(),
    updated_at: persona.updatedAt.toISOString(),
    interaction_state: {
      interest_level: state.interestLevel,
      interaction_fatigue: state.interactionFatigue,
      current_priority: state.currentPriority,
      available_time: state.availableTime,
      social_energy: state.socialEnergy,
      cooldown_until: state.cooldownUntil,
      cooldown_remaining: personas.cooldownRemaining(persona),
      is_available: personas.isAvailable(persona),
    },
  }
}

export function personaSummary (persona: Persona, personas: PersonaService): PersonaSummary {
  return {
    id: persona.id,
    name: persona.name,
    description: persona.description,
    owner_id: persona.ownerId,
    available: personas.isAvailable(persona),
    social_energy: persona.state.socialEnergy,
    current_priority: persona.state.currentPriority,
    cooldown_remaining: personas.cooldownRemaining(persona),
  }
}

/** A create or patch body as the service's input; absent fields stay absent. */
export function personaPatch (body: PersonaPatchBody | PersonaCreateBody): PersonaPatch {
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
  const state = defined({
    socialEnergy: body.social_energy,
    availableTime: body.available_time,
    currentPriority: body.current_priority,
    interestLevel: body.interest_level,
  })
  return defined({
    name: body.name,
    description: body.description,
    backstory: body.backstory,
    speakingStyle: body.speaking_style,
    personalityTraits: body.personality_traits,
    topicPreferences: body.topic_preferences,
    charisma: body.charisma,
    intelligence: body.intelligence,
    socialRank: body.social_rank,
    state: Object.keys(state).length > 0 ? state : undefined,
  })
}
