import t from 'tap'
import { createSqlitePersonaRepository } from '../../src/store/sqlite/personas.ts'
import { createPostgresPersonaRepository } from '../../src/store/postgres/personas.ts'
import type { PersonaRepository } from '../../src/personas/repository.ts'
import type { InteractionState } from '../../src/personas/state.ts'
import { ErrorCode } from '../../src/rpc/errors.ts'
import { forBothStores } from '../helpers/both-stores.ts'

// The persona repository's contract, the same assertions on SQLite and PostgreSQL: defaults, JSON scores,
// Dates, start-up order, the case-insensitive name conflict, the per-turn state write, and what a removal
// takes. A zone other than UTC, so a time written in the process's zone would come back shifted.
process.env.TZ = 'America/Sao_Paulo'

const state = (updatedAt: number): InteractionState => ({
  interestLevel: 61, interactionFatigue: 3, currentPriority: 'social', availableTime: 240, socialEnergy: 87, cooldownUntil: 1893456000.5, updatedAt,
})
const created = new Date(Date.UTC(2030, 0, 1, 0, 0, 0, 123))

forBothStores<PersonaRepository>(t, {
  sqlite: createSqlitePersonaRepository,
  postgres: createPostgresPersonaRepository,
}, (t, store) => {
  t.test('insert: defaults filled, scores as JSON, times as Dates; all() gives the same persona back', async (t) => {
    const { repo } = await store.open(t)
    const aria = await repo.insert({ name: 'Aria', personalityTraits: { warmth: 80, wit: 55.5 }, state: { socialEnergy: 70 } }, false, 'alice')
    t.match(aria, {
      name: 'Aria', description: '', backstory: '', speakingStyle: '', personalityTraits: { warmth: 80, wit: 55.5 }, topicPreferences: {},
      charisma: 10, intelligence: 10, socialRank: 'commoner', builtIn: false, ownerId: 'alice',
      state: { interestLevel: 50, interactionFatigue: 0, currentPriority: 'none', availableTime: 300, socialEnergy: 70, cooldownUntil: 0 },
    })
    t.ok(aria.createdAt instanceof Date && aria.updatedAt instanceof Date)
    t.equal(typeof aria.state.updatedAt, 'number')
    const builtIn = await repo.insert({ name: 'Kira' }, true)
    t.equal(builtIn.builtIn, true)
    t.equal(builtIn.ownerId, null)
    t.same(await repo.all(), [aria, builtIn], 'read back exactly as inserted, oldest first')
  })

  t.test('all(): oldest first, then by name key in byte order', async (t) => {
    const { repo, prisma } = await store.open(t)
    for (const name of ['b', '_z', 'a-c', 'ac', 'Old']) await repo.insert({ name }, false)
    await prisma.persona.updateMany({ data: { createdAt: created } })
    await prisma.persona.update({ where: { nameKey: 'old' }, data: { createdAt: new Date(created.getTime() - 1) } })
    t.same((await repo.all()).map((p) => p.name), ['Old', '_z', 'a-c', 'ac', 'b'])
  })

  t.test('a name taken, in any case, is a conflict on insert and on update', async (t) => {
    const { repo } = await store.open(t)
    await repo.insert({ name: 'Aria' }, false)
    const kira = await repo.insert({ name: 'Kira' }, false)
    await t.rejects(repo.insert({ name: 'ARIA' }, false), { code: ErrorCode.Conflict, message: 'A persona named ARIA already exists' })
    await t.rejects(repo.update(kira.id, { name: 'aria' }), { code: ErrorCode.Conflict })
    t.same((await repo.all()).map((p) => p.name), ['Aria', 'Kira'])
  })

  t.test('update: the fields given, the state with its time, the rest kept', async (t) => {
    const { repo } = await store.open(t)
    const aria = await repo.insert({ name: 'Aria', description: 'first', topicPreferences: { music: 90 } }, false)
    const renamed = await repo.update(aria.id, { name: 'Ari', charisma: 14, state: { interestLevel: 20 } })
    t.match(renamed, { name: 'Ari', description: 'first', charisma: 14, topicPreferences: { music: 90 }, state: { interestLevel: 20, socialEnergy: 100 } })
    t.equal(renamed.state.updatedAt, aria.state.updatedAt, 'a state without a time keeps the stored one')
    const withTime = await repo.update(aria.id, { state: state(Date.UTC(2031, 5, 6, 7, 8, 9, 10)) })
    t.same(withTime.state, state(Date.UTC(2031, 5, 6, 7, 8, 9, 10)))
    t.same((await repo.all())[0], withTime)
    await t.rejects(repo.update('nobody', { charisma: 1 }), 'an unknown persona is refused')
  })

  t.test('saveState: stored to the millisecond, updatedAt now; an unknown persona is not found', async (t) => {
    const { repo } = await store.open(t)
    const aria = await repo.insert({ name: 'Aria' }, false)
    const before = Date.now()
    const saved = await repo.saveState(aria, state(Date.UTC(2031, 0, 2, 3, 4, 5, 678)))
    if (saved === null) throw new Error('not saved')
    t.same(saved.state, state(Date.UTC(2031, 0, 2, 3, 4, 5, 678)))
    t.ok(saved.updatedAt.getTime() >= before && saved.updatedAt.getTime() <= Date.now())
    const [read] = await repo.all()
    t.same(read, saved, 'the stored state and updatedAt are the ones returned')
    t.same(await repo.find(aria.id), saved, 'find: the one persona as stored')
    t.equal(await repo.find('ghost'), null)
    await t.rejects(repo.saveState({ ...aria, id: 'ghost' }, state(0)), { code: ErrorCode.PersonaNotFound, message: 'Persona not found: ghost' })
  })

  t.test('saveState lands only on the state it was computed from: a write by another instance since makes it null', async (t) => {
    const { repo, another } = await store.open(t)
    const other = await another()
    const aria = await repo.insert({ name: 'Aria' }, false)
    const first = await other.saveState(aria, { ...aria.state, socialEnergy: 60 })
    t.equal(first?.state.socialEnergy, 60, 'the other instance wrote first')
    t.equal(await repo.saveState(aria, { ...aria.state, socialEnergy: 90 }), null, 'this one, from the state before it, does not overwrite it')
    t.equal((await repo.find(aria.id))?.state.socialEnergy, 60)
    const latest = await repo.find(aria.id)
    if (latest === null) throw new Error('gone')
    t.equal((await repo.saveState(latest, { ...latest.state, socialEnergy: 50 }))?.state.socialEnergy, 50, 'from the latest state it does')
  })

  t.test('remove: the persona, what hangs on it, and persona relationships naming it second', async (t) => {
    const { repo, prisma, addPersona } = await store.open(t)
    const aria = await repo.insert({ name: 'Aria' }, false)
    await addPersona('kira')
    await prisma.emotionalState.create({ data: { personaId: aria.id, mood: 0, energyLevel: 0, stressLevel: 0, curiosity: 0, socialBattery: 0 } })
    const rel = (kind: string, persona1Id: string, persona2Id: string) =>
      ({ kind, persona1Id, persona2Id, sharedExperiences: [], memorableMoments: [], conflictHistory: [], compatibilityFactors: {} })
    await prisma.relationship.createMany({ data: [rel('persona', 'kira', aria.id), rel('user', aria.id, 'alice'), rel('user', 'kira', aria.id), rel('persona', 'kira', 'other')] })
    await repo.remove(aria.id)
    t.same((await repo.all()).map((p) => p.id), ['kira'])
    t.equal(await prisma.emotionalState.count(), 0)
    const left = (await prisma.relationship.findMany()).map((r) => `${r.kind}:${r.persona1Id}:${r.persona2Id}`).sort()
    t.same(left, ['persona:kira:other', `user:kira:${aria.id}`], 'a user relationship naming it second stays')
  })
})
