import type { InteractionState, Priority } from '../../personas/state.ts'
import type { Persona, PersonaProfile, Scores } from '../../personas/types.ts'
import { columnList } from './columns.ts'

// The Persona columns a persona is read from, on either database (the card columns stay out: cards.ts reads
// them), and the one mapping to the domain's Persona.

/** a Persona row as Prisma and pg return it: the state flat beside the profile, JSON parsed */
export type PersonaRow = Omit<PersonaProfile, 'personalityTraits' | 'topicPreferences'> & Omit<InteractionState, 'currentPriority' | 'updatedAt'> &
  { personalityTraits: unknown, topicPreferences: unknown, currentPriority: string, stateUpdatedAt: Date }

export const PERSONA_COLUMNS = columnList(['id', 'name', 'nameKey', 'description', 'backstory', 'speakingStyle', 'personalityTraits',
  'topicPreferences', 'charisma', 'intelligence', 'socialRank', 'builtIn', 'ownerId', 'interestLevel', 'interactionFatigue',
  'currentPriority', 'availableTime', 'socialEnergy', 'cooldownUntil', 'stateUpdatedAt', 'createdAt', 'updatedAt'])

export function toPersona (row: PersonaRow): Persona {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    backstory: row.backstory,
    speakingStyle: row.speakingStyle,
    personalityTraits: row.personalityTraits as Scores,
    topicPreferences: row.topicPreferences as Scores,
    charisma: row.charisma,
    intelligence: row.intelligence,
    socialRank: row.socialRank,
    builtIn: row.builtIn,
    ownerId: row.ownerId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    state: {
      interestLevel: row.interestLevel,
      interactionFatigue: row.interactionFatigue,
      currentPriority: row.currentPriority as Priority,
      availableTime: row.availableTime,
      socialEnergy: row.socialEnergy,
      cooldownUntil: row.cooldownUntil,
      updatedAt: row.stateUpdatedAt.getTime(),
    },
  }
}
