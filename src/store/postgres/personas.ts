import type { PersonaRepository } from '../../personas/repository.ts'
import type { InteractionState } from '../../personas/state.ts'
import type { PersonaPatch, StateInput } from '../../personas/types.ts'
import { domainError, ErrorCode } from '../../rpc/errors.ts'
import { toPersona } from '../sqlite/personas.ts'
import type { PostgresDatabase } from './database.ts'

// The Persona table on PostgreSQL: profiles through Prisma (rare writes), the state written on every chat
// turn and all() at start-up by prepared statements. Mirrors src/store/sqlite/personas.ts.

function stateColumns (state: StateInput | InteractionState) {
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

function profileColumns (input: PersonaPatch) {
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

/** Two writers (two instances, too) racing for one name: the unique index decides, the loser gets a clear conflict. */
async function uniqueName<T> (name: string | undefined, write: Promise<T>): Promise<T> {
  try {
    return await write
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') {
      throw domainError(ErrorCode.Conflict, `A persona named ${name ?? ''} already exists`, { name })
    }
    throw err
  }
}

const ALL = {
  name: 'persona-all',
  // the card columns stay out (toPersona reads none); nameKey in byte order, as SQLite compares text, whatever the database's collation
  text: `SELECT id, name, "nameKey", description, backstory, "speakingStyle", "personalityTraits", "topicPreferences", charisma,
    intelligence, "socialRank", "builtIn", "ownerId", "interestLevel",
    "interactionFatigue", "currentPriority", "availableTime", "socialEnergy", "cooldownUntil", "stateUpdatedAt", "createdAt", "updatedAt"
    FROM "Persona" ORDER BY "createdAt", "nameKey" COLLATE "C"`,
}
const SAVE_STATE = 'persona-save-state'
const SAVE_STATE_SQL = `UPDATE "Persona" SET "interestLevel" = $2, "interactionFatigue" = $3, "currentPriority" = $4,
  "availableTime" = $5, "socialEnergy" = $6, "cooldownUntil" = $7, "stateUpdatedAt" = $8::timestamp, "updatedAt" = $9::timestamp WHERE id = $1`

export function createPostgresPersonaRepository ({ prisma, pool }: PostgresDatabase): PersonaRepository {
  return {
    async all () {
      const { rows } = await pool.query<Parameters<typeof toPersona>[0]>(ALL)
      return rows.map(toPersona)
    },
    async insert (input, builtIn, ownerId = null) {
      const row = await uniqueName(input.name, prisma.persona.create({
        data: {
          ...profileColumns(input),
          name: input.name,
          nameKey: input.name.toLowerCase(),
          personalityTraits: input.personalityTraits ?? {},
          topicPreferences: input.topicPreferences ?? {},
          builtIn,
          ownerId,
        },
      }))
      return toPersona(row)
    },
    async update (id, patch) {
      return toPersona(await uniqueName(patch.name, prisma.persona.update({ where: { id }, data: profileColumns(patch) })))
    },
    async saveState (persona, state) {
      const updatedAt = new Date()
      // times as UTC text: pg would send a Date in the process's zone, which a TIMESTAMP column keeps as is
      const { rowCount } = await pool.query({
        name: SAVE_STATE,
        text: SAVE_STATE_SQL,
        values: [persona.id, state.interestLevel, state.interactionFatigue, state.currentPriority, state.availableTime,
          state.socialEnergy, state.cooldownUntil, new Date(state.updatedAt).toISOString(), updatedAt.toISOString()],
      })
      if (rowCount === 0) throw domainError(ErrorCode.PersonaNotFound, `Persona not found: ${persona.id}`, { persona_id: persona.id })
      return { ...persona, state, updatedAt }
    },
    async remove (id) {
      // persona-to-persona relationships name the persona in persona2Id too, without a foreign key
      await prisma.$transaction([
        prisma.relationship.deleteMany({ where: { kind: 'persona', persona2Id: id } }),
        prisma.persona.delete({ where: { id } }),
      ])
    },
  }
}
