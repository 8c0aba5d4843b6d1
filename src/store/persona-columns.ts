// Persona columns as both databases' repositories write them through Prisma, and the one conflict rule.
import type { InteractionState } from '../personas/state.ts'
import type { PersonaInput, PersonaPatch, StateInput } from '../personas/types.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'

export function stateColumns (state: StateInput | InteractionState) {
  return {
    interestLevel: state.interestLevel,
    interactionFatigue: state.interactionFatigue,
    currentPriority: state.currentPriority,
    availableTime: state.availableTime,
    socialEnergy: state.socialEnergy,
    cooldownUntil: state.cooldownUntil,
    ...('updatedAt' in state ? { stateUpdatedAt: new Date(state.updatedAt) } : {}),
  }
}

export function profileColumns (input: PersonaPatch) {
  return {
    name: input.name,
    nameKey: input.name?.toLowerCase(),
    description: input.description,
    backstory: input.backstory,
    speakingStyle: input.speakingStyle,
    personalityTraits: input.personalityTraits,
    topicPreferences: input.topicPreferences,
    charisma: input.charisma,
    intelligence: input.intelligence,
    socialRank: input.socialRank,
    ...(input.state ? stateColumns(input.state) : {}),
  }
}

/** a new persona's columns: the profile given, empty scores where none are */
export function newPersonaColumns (input: PersonaInput, builtIn: boolean, ownerId: string | null) {
  return {
    ...profileColumns(input),
    name: input.name,
    nameKey: input.name.toLowerCase(),
    personalityTraits: input.personalityTraits ?? {},
    topicPreferences: input.topicPreferences ?? {},
    builtIn,
    ownerId,
  }
}

/** Two writers (two instances, too) racing for one name: the unique index decides, the loser gets a clear conflict. */
export async function uniqueName<T> (name: string | undefined, write: PromiseLike<T>): Promise<T> {
  try {
    return await write
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') {
      throw domainError(ErrorCode.Conflict, `A persona named ${name ?? ''} already exists`, { name })
    }
    throw err
  }
}
