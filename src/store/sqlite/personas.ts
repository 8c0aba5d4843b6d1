import type { PersonaRepository } from '../../personas/repository.ts'
import type { Persona } from '../../personas/types.ts'
import { domainError, ErrorCode } from '../../rpc/errors.ts'
import { createPersonaProfileWrites } from '../prisma/persona-profiles.ts'
import { PERSONA_COLUMNS, toPersona, type PersonaRow } from '../rows/persona.ts'
import type { SqliteDatabase } from './database.ts'
import { toSqlTime } from './sql-time.ts'

// The Persona table on SQLite (the columns read and their mapping: src/store/rows/persona.ts; the card columns: cards.ts).

/** A Persona row as better-sqlite3 reads it: JSON as text, DateTime as ISO text, Boolean as 0/1. */
type RawPersonaRow = Omit<PersonaRow, 'personalityTraits' | 'topicPreferences' | 'builtIn' | 'createdAt' | 'updatedAt' | 'stateUpdatedAt'> &
  { personalityTraits: string, topicPreferences: string, builtIn: number, createdAt: string, updatedAt: string, stateUpdatedAt: string }

const fromRaw = (raw: RawPersonaRow): Persona => toPersona({
  ...raw,
  personalityTraits: JSON.parse(raw.personalityTraits),
  topicPreferences: JSON.parse(raw.topicPreferences),
  builtIn: raw.builtIn !== 0,
  createdAt: new Date(raw.createdAt),
  updatedAt: new Date(raw.updatedAt),
  stateUpdatedAt: new Date(raw.stateUpdatedAt),
})

// the state as the writer last read it: a state write lands only on that (another connection may have
// written since); times compared as instants, since Prisma's and our raw SQL's texts may differ
const SAME_STATE = `interestLevel = @wasInterestLevel AND interactionFatigue = @wasInteractionFatigue AND currentPriority = @wasCurrentPriority
    AND availableTime = @wasAvailableTime AND socialEnergy = @wasSocialEnergy AND cooldownUntil = @wasCooldownUntil
    AND julianday(stateUpdatedAt) = julianday(@wasStateUpdatedAt)`

/**
 * Profiles written through Prisma (rare writes); the state, written on every chat turn, by one prepared
 * statement; all() by another, because start-up reads it and should not wait for Prisma's query engine.
 */
export function createSqlitePersonaRepository ({ prisma, sqlite }: SqliteDatabase): PersonaRepository {
  const allRows = sqlite.prepare<[], RawPersonaRow>(`SELECT ${PERSONA_COLUMNS} FROM Persona ORDER BY createdAt, nameKey`)
  const oneRow = sqlite.prepare<[string], RawPersonaRow>(`SELECT ${PERSONA_COLUMNS} FROM Persona WHERE id = ?`)
  const updateState = sqlite.prepare(`UPDATE Persona SET interestLevel = @interestLevel, interactionFatigue = @interactionFatigue,
    currentPriority = @currentPriority, availableTime = @availableTime, socialEnergy = @socialEnergy, cooldownUntil = @cooldownUntil,
    stateUpdatedAt = @stateUpdatedAt, updatedAt = @updatedAt WHERE id = @id AND ${SAME_STATE}`)
  const exists = sqlite.prepare<[string], { id: string }>('SELECT id FROM Persona WHERE id = ?')
  return {
    ...createPersonaProfileWrites(prisma),
    async all () {
      return allRows.all().map(fromRaw)
    },
    async find (id) {
      const row = oneRow.get(id)
      return row === undefined ? null : fromRaw(row)
    },
    async saveState (persona, state) {
      const updatedAt = new Date()
      const was = persona.state
      const changes = updateState.run({
        ...state, id: persona.id, stateUpdatedAt: toSqlTime(state.updatedAt), updatedAt: toSqlTime(updatedAt.getTime()),
        wasInterestLevel: was.interestLevel, wasInteractionFatigue: was.interactionFatigue, wasCurrentPriority: was.currentPriority,
        wasAvailableTime: was.availableTime, wasSocialEnergy: was.socialEnergy, wasCooldownUntil: was.cooldownUntil, wasStateUpdatedAt: toSqlTime(was.updatedAt),
      }).changes
      if (changes === 0) {
        if (exists.get(persona.id) === undefined) throw domainError(ErrorCode.PersonaNotFound, `Persona not found: ${persona.id}`, { persona_id: persona.id })
        return null
      }
      return { ...persona, state, updatedAt }
    },
  }
}
