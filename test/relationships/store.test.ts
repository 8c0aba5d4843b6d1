import t from 'tap'
import type { Test } from 'tap'
import { openStore } from '../../src/store/index.ts'
import { createRelationshipService } from '../../src/relationships/service.ts'
import { createEmotionService } from '../../src/relationships/emotion-service.ts'
import { parseConfig } from '../../src/config/index.ts'
import type { PersonaService } from '../../src/personas/service.ts'

const config = parseConfig({})

/** A migrated SQLite store in the test's directory, with persona rows for the relationships to hang on. */
async function store (t: Test, personas: string[] = ['a', 'b', 'c']) {
  const opened = await openStore({ url: `file:${t.testdir()}/store.db` })
  t.teardown(() => opened.close())
  const insert = opened.sqlite!.sqlite.prepare(`INSERT INTO Persona (id, name, nameKey, personalityTraits, topicPreferences, updatedAt)
    VALUES (?, ?, ?, '{}', '{}', '2026-01-01T00:00:00.000+00:00')`)
  for (const id of personas) insert.run(id, id, id)
  return opened
}

const interaction = { quality: 0.8, minutes: 10, context: 'collaboration' }

t.test('relationships: written through, read back from SQLite by a fresh service, paged most recent first', async (t) => {
  const { repositories, sqlite: database } = await store(t)
  let clock = Date.parse('2026-03-01T10:00:00Z')
  const rules = config.relationships
  const service = createRelationshipService({ repository: repositories.relationships, personas: {} as PersonaService, rules, now: () => clock })
  t.equal(await service.find('persona', 'a', 'b'), null, 'not met yet')
  const saved = await service.interact('persona', 'b', 'a', interaction)
  t.match(saved, { kind: 'persona', persona1Id: 'a', persona2Id: 'b', interactionCount: 1 }, 'the pair is stored ordered')
  clock += 60_000
  await service.interact('persona', 'a', 'c', interaction)
  await service.interact('user', 'c', 'zoe', { ...interaction, quality: -1 })
  t.equal(database!.sqlite.prepare('SELECT COUNT(*) FROM RelationshipEvent').pluck().get(), 3, 'each interaction is an event')

  // a second service on the same database: nothing from the first one's cache
  const fresh = createRelationshipService({ repository: repositories.relationships, personas: {} as PersonaService, rules, now: () => clock })
  const found = await fresh.find('persona', 'b', 'a')
  t.same(found, saved, 'what was saved comes back, dates included')
  t.same((await fresh.forPersona('a')).map((r) => r.persona2Id), ['c', 'b'], 'a persona\'s relationships, most recent first')
  t.same((await fresh.forPersona('c', 'user')).map((r) => r.persona2Id), ['zoe'])
  t.same((await fresh.forPersona('zoe', 'user')), [], 'a user is no persona')
  const page = await fresh.page({ kind: 'persona', limit: 1, offset: 1 })
  t.equal(page.total, 2)
  t.same(page.items.map((r) => r.persona2Id), ['b'])
  t.equal((await fresh.page({ kind: 'persona', personaId: 'b', limit: 10, offset: 0 })).total, 1)
  t.equal((await fresh.all('user')).length, 1)

  // the cache is what the service keeps: a deleted persona's relationships are forgotten with it
  // as persona deletion does: persona2Id has no foreign key (it may name a user)
  database!.sqlite.prepare("DELETE FROM Relationship WHERE persona2Id = 'b'").run()
  database!.sqlite.prepare("DELETE FROM Persona WHERE id = 'b'").run()
  t.ok(await fresh.find('persona', 'a', 'b'), 'cached until told')
  fresh.forget('b')
  t.equal(await fresh.find('persona', 'a', 'b'), null, 'forgotten, read again: gone')
  t.ok(await fresh.find('user', 'c', 'zoe'), 'a user relationship, cached')
  database!.sqlite.prepare("DELETE FROM Relationship WHERE kind = 'user' AND persona2Id = 'zoe'").run()
  t.ok(await fresh.find('user', 'c', 'zoe'), 'still cached after its row went')
  fresh.forgetUser('zoe')
  t.equal(await fresh.find('user', 'c', 'zoe'), null, 'an erased user\'s too')
})

t.test('moods: the first read stores the defaults, changes are written through and survive a fresh service', async (t) => {
  const { repositories, sqlite: database } = await store(t)
  const clock = Date.parse('2026-03-01T10:00:00Z')
  const emotions = createEmotionService({ repository: repositories.emotions, rules: config.emotions, now: () => clock })
  const seen: number[] = []
  emotions.onChange((_id, state) => seen.push(state.mood))
  t.match(await emotions.get('a'), { mood: 0.5, energyLevel: 0.7, updatedAt: clock })
  t.equal(database!.sqlite.prepare("SELECT mood FROM EmotionalState WHERE personaId = 'a'").pluck().get(), 0.5, 'stored at first read')
  await emotions.set('a', { mood: 0.9, stressLevel: 7 })
  t.same(seen, [0.5, 0.9], 'listeners hear every change')
  const fresh = createEmotionService({ repository: repositories.emotions, rules: config.emotions, now: () => clock })
  t.match(await fresh.get('a'), { mood: 0.9, stressLevel: 1, updatedAt: clock }, 'read back from SQLite, clamped')
  t.match(await fresh.reset('a'), { mood: 0.5, stressLevel: 0.3 }, 'reset to the configured initial values')
})

t.test('the store answers its health probe and counts what /metrics reports', async (t) => {
  const { repositories, sqlite: database } = await store(t, ['a'])
  await repositories.health.ping()
  t.same(await repositories.storedCounts.memoriesPerPersona(), [{ persona: 'a', memories: 0 }])
  t.equal(await repositories.storedCounts.pruneRuns(), 0)
  t.equal(await repositories.storedCounts.decayRuns(), 0)
  t.equal(await repositories.storedCounts.prunedMemories(), 0)
  database!.sqlite.close()
  await t.rejects(repositories.health.ping(), 'a closed database is down')
})
