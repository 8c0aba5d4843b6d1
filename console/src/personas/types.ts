// What the console shows of a persona: persona.get's profile, its interaction state and its mood.

export interface InteractionState {
  interest_level: number
  interaction_fatigue: number
  current_priority: string
  available_time: number
  social_energy: number
  cooldown_remaining: number
  is_available: boolean
}

export interface EmotionalState {
  mood: number
  energy_level: number
  stress_level: number
  curiosity: number
  social_battery: number
  last_updated: string
}

export interface Persona {
  id: string
  name: string
  description: string
  backstory: string
  speaking_style: string
  charisma: number
  intelligence: number
  social_rank: string
  built_in: boolean
  owner_id: string | null
  interaction_state: InteractionState
  emotional_state?: EmotionalState
}
