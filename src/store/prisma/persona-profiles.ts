import type { PersonaRepository } from '../../personas/repository.ts'
import { newPersonaColumns, profileColumns, uniqueName } from '../persona-columns.ts'
import { toPersona, type PersonaRow } from '../rows/persona.ts'

// Persona profiles written through Prisma the same way on every database (rare writes; the per-turn state
// write is each store's own prepared statement). The client is described by the calls made, as in run-history.ts.

export interface PersonaProfileClient {
  persona: {
    create (args: { data: ReturnType<typeof newPersonaColumns> }): PromiseLike<PersonaRow>
    update (args: { where: { id: string }, data: ReturnType<typeof profileColumns> }): PromiseLike<PersonaRow>
    delete (args: { where: { id: string } }): PromiseLike<unknown>
  }
  relationship: {
    deleteMany (args: { where: { kind: 'persona', persona2Id: string } }): PromiseLike<unknown>
  }
  $transaction (queries: Array<PromiseLike<unknown>>): PromiseLike<unknown>
}

export function createPersonaProfileWrites (prisma: PersonaProfileClient): Pick<PersonaRepository, 'insert' | 'update' | 'remove'> {
  return {
    async insert (input, builtIn, ownerId = null) {
      return toPersona(await uniqueName(input.name, prisma.persona.create({ data: newPersonaColumns(input, builtIn, ownerId) })))
    },
    async update (id, patch) {
      return toPersona(await uniqueName(patch.name, prisma.persona.update({ where: { id }, data: profileColumns(patch) })))
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
