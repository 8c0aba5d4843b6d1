import type { InteractionState } from './state.ts'

export type Scores = Record<string, number>

export interface PersonaProfile {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly backstory: string
  readonly speakingStyle: string
  /** trait -> 0..100 */
  readonly personalityTraits: Scores
  /** topic -> 0..100 */
  readonly topicPreferences: Scores
  readonly charisma: number
  readonly intelligence: number
  readonly socialRank: string
  readonly builtIn: boolean
  /** the user who created it; null for built-ins (and personas of unknown creator): only admins change those */
  readonly ownerId: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
}

export interface Persona extends PersonaProfile {
  readonly state: InteractionState
}

export type StateInput = Partial<Omit<InteractionState, 'updatedAt'>>

export interface PersonaInput {
  name: string
  description?: string
  backstory?: string
  speakingStyle?: string
  personalityTraits?: Scores
  topicPreferences?: Scores
  charisma?: number
  intelligence?: number
  socialRank?: string
  state?: StateInput
}

export type PersonaPatch = Partial<Omit<PersonaInput, 'state'>> & { state?: StateInput | InteractionState }
