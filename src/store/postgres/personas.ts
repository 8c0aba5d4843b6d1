import type { PersonaRepository } from '../../personas/repository.ts'
import { domainError, ErrorCode } from '../../rpc/errors.ts'
import { createPersonaProfileWrites } from '../prisma/persona-profiles.ts'
import { PERSONA_COLUMNS as COLUMNS, toPersona, type PersonaRow } from '../rows/persona.ts'
import type { PostgresDatabase } from './database.ts'

// The Persona table on PostgreSQL: profiles through Prisma (rare writes), the state written on every chat
// turn and all() at start-up by prepared statements. Mirrors src/store/sqlite/personas.ts.

const ALL = {
  name: 'persona-all',
  // nameKey in byte order, as SQLite compares text, whatever the database's collation
  text: `SELECT ${COLUMNS} FROM "Persona" ORDER BY "createdAt", "nameKey" COLLATE "C"`,
}
const FIND = { name: 'persona-find', text: `SELECT ${COLUMNS} FROM "Persona" WHERE id = $1` }
const SAVE_STATE = 'persona-save-state'
const SAVE_STATE_SQL = `UPDATE "Persona" SET "interestLevel" = $2, "interactionFatigue" = $3, "currentPriority" = $4,
  "availableTime" = $5, "socialEnergy" = $6, "cooldownUntil" = $7, "stateUpdatedAt" = $8::timestamp, "updatedAt" = $9::timestamp
  WHERE id = $1 AND "interestLevel" = $10 AND "interactionFatigue" = $11 AND "currentPriority" = $12 AND "availableTime" = $13
    AND "socialEnergy" = $14 AND "cooldownUntil" = $15 AND "stateUpdatedAt" = $16::timestamp`
// the WHERE holds the state as the writer last read it: another instance's write since makes it miss
const EXISTS = { name: 'persona-exists', text: 'SELECT id FROM "Persona" WHERE id = $1' }

export function createPostgresPersonaRepository ({ prisma, pool }: PostgresDatabase): PersonaRepository {
  return {
    ...createPersonaProfileWrites(prisma),
    async all () {
      const { rows } = await pool.query<PersonaRow>(ALL)
      return rows.map(toPersona)
    },
    async find (id) {
      const [row] = (await pool.query<PersonaRow>({ ...FIND, values: [id] })).rows
      return row === undefined ? null : toPersona(row)
    },
    async saveState (persona, state) {
      const updatedAt = new Date()
      const was = persona.state
      // times as UTC text: pg would send a Date in the process's zone, which a TIMESTAMP column keeps as is
      const { rowCount } = await pool.query({
        name: SAVE_STATE,
        text: SAVE_STATE_SQL,
        values: [persona.id, state.interestLevel, state.interactionFatigue, state.currentPriority, state.availableTime,
          state.socialEnergy, state.cooldownUntil, new Date(state.updatedAt).toISOString(), updatedAt.toISOString(),
          was.interestLevel, was.interactionFatigue, was.currentPriority, was.availableTime, was.socialEnergy, was.cooldownUntil, new Date(was.updatedAt).toISOString()],
      })
      if (rowCount === 0) {
        if ((await pool.query({ ...EXISTS, values: [persona.id] })).rowCount === 0) throw domainError(ErrorCode.PersonaNotFound, `Persona not found: ${persona.id}`, { persona_id: persona.id })
        return null
      }
      return { ...persona, state, updatedAt }
    },
  }
}
