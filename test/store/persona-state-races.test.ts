import t from 'tap'
import { parseConfig } from '../../src/config/load.ts'
import type { PersonaRepository } from '../../src/personas/repository.ts'
import { createPersonaService } from '../../src/personas/service.ts'
import { createPostgresPersonaRepository } from '../../src/store/postgres/personas.ts'
import { createSqlitePersonaRepository } from '../../src/store/sqlite/personas.ts'
import { forBothStores } from '../helpers/both-stores.ts'

// Two instances (two persona services, each with its own cache and connection) change one persona's state
// at once, as chat turns on two instances do: every change counts, none is written over a stale copy.

const rules = parseConfig({}).personas
// one instant: regeneration credits nothing, so the sum is exact
const T = Date.UTC(2031, 0, 1)

forBothStores<PersonaRepository>(t, { sqlite: createSqlitePersonaRepository, postgres: createPostgresPersonaRepository }, (t, store) => {
  t.test('40 state changes from two instances at once all count', async (t) => {
    const { repo, another } = await store.open(t)
    const a = createPersonaService({ repository: repo, rules, now: () => T })
    const b = createPersonaService({ repository: await another(), rules, now: () => T })
    await a.init()
    await b.init()
    // brought up to T once (on A only: B's copy is stale from the start, as another instance's would be)
    const start = (await a.setState('aria', (state) => state)).state.socialEnergy
    const spend = (state: { socialEnergy: number }) => ({ ...state, socialEnergy: state.socialEnergy - 1 }) as never
    await Promise.all(Array.from({ length: 40 }, async (_, i) => await (i % 2 === 0 ? a : b).setState('aria', spend)))
    const stored = (await repo.find(a.get('aria').id))?.state.socialEnergy
    t.equal(stored, start - 40, `social energy ${start} -> ${stored}`)
  })
})
