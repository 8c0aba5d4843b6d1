import t from 'tap'
import path from 'node:path'
import { parseConfig } from '../../src/config/index.ts'
import type { PersonaRepository } from '../../src/personas/repository.ts'
import { createPersonaService } from '../../src/personas/service.ts'
import { openDatabase } from '../../src/store/sqlite/database.ts'
import { createSqlitePersonaRepository } from '../../src/store/sqlite/personas.ts'

// persona.get, persona.status and every chat turn read personas: the service answers them from memory and
// writes through to the database, so reads cost no round trip and a restart sees every write.

/** the real SQLite repository, counting the calls that reach it */
function counted (repository: PersonaRepository) {
  const calls: string[] = []
  const wrapped = Object.fromEntries(Object.entries(repository).map(([name, fn]) =>
    [name, (...args: unknown[]) => { calls.push(name); return (fn as (...a: unknown[]) => unknown)(...args) }])) as unknown as PersonaRepository
  return { wrapped, calls }
}

t.test('reads never reach the database; every write does, once, and the cache follows it', async (t) => {
  const file = path.join(t.testdir(), 'personas.db')
  const db = await openDatabase({ file })
  t.teardown(() => db.close())
  const rules = parseConfig({}).personas
  const { wrapped, calls } = counted(createSqlitePersonaRepository(db))
  const personas = createPersonaService({ repository: wrapped, rules })
  await personas.init()
  t.same(calls, ['all', 'insert', 'insert'], 'start-up: one load, the two built-ins seeded')

  calls.length = 0
  for (let i = 0; i < 100; i++) {
    const aria = personas.get('aria')
    personas.find(aria.id)
    personas.list()
    personas.condition(aria)
    personas.isAvailable(aria)
  }
  t.same(calls, [], 'get, find, list, condition: no database call')

  const mine = await personas.create({ name: 'Quill', description: 'a scribe' }, 'alice')
  await personas.update(mine.id, { description: 'a tired scribe' })
  await personas.chargeUserChat(mine.id, 120)
  t.same(calls, ['insert', 'update', 'saveState'], 'one call per write')
  t.equal(personas.get('quill').description, 'a tired scribe', 'the cache has the update')
  t.ok(personas.get('quill').state.interactionFatigue > 0, 'and the state change')

  await personas.disowned([mine.id])
  t.equal(personas.get('quill').ownerId, null, 'disowned (the store cleared the column): the cache follows')

  // a second service on the same file sees what the first wrote (write-through, nothing only in memory)
  db.sqlite.prepare('UPDATE Persona SET ownerId = NULL WHERE id = ?').run(mine.id)
  const fresh = createPersonaService({ repository: createSqlitePersonaRepository(db), rules })
  await fresh.init()
  const again = fresh.get('quill')
  t.equal(again.description, 'a tired scribe')
  t.equal(again.state.interactionFatigue, personas.get('quill').state.interactionFatigue)
  t.equal(again.ownerId, null)

  await personas.delete(mine.id)
  t.equal(personas.find('quill'), undefined, 'deleted: gone from the cache')
  t.equal((db.sqlite.prepare('SELECT count(*) AS n FROM Persona WHERE id = ?').get(mine.id) as { n: number }).n, 0, 'and from the table')
})

t.test('load: a persona another instance wrote is found by id or name; misses by name read everything at most once a second', async (t) => {
  const file = path.join(t.testdir(), 'personas.db')
  const db = await openDatabase({ file })
  t.teardown(() => db.close())
  const rules = parseConfig({}).personas
  let clock = 1_000_000
  const elsewhere = createPersonaService({ repository: createSqlitePersonaRepository(db), rules })
  const { wrapped, calls } = counted(createSqlitePersonaRepository(db))
  const here = createPersonaService({ repository: wrapped, rules, now: () => clock })
  await elsewhere.init()
  await here.init()

  const byId = await elsewhere.create({ name: 'Wren', description: 'a courier' }, 'alice')
  const byName = await elsewhere.create({ name: 'Sable', description: 'a spy' }, 'alice')
  t.equal(here.find(byId.id), undefined, 'not yet heard of here')
  calls.length = 0
  t.equal((await here.load(byId.id))?.name, 'Wren', 'found by id')
  t.same(calls, ['find'], 'by id: one row read')
  t.equal(here.find(byId.id)?.name, 'Wren', 'and held from then on')

  calls.length = 0
  t.equal((await here.load('sable'))?.id, byName.id, 'found by name')
  t.same(calls, ['find', 'all', 'find'], 'by name: the id lookup misses, every row is read, the one unknown here again under its lock')
  calls.length = 0
  t.equal(await here.load('nobody'), undefined, 'an unknown name')
  t.same(calls, ['find'], 'within the second: no second full read')
  clock += 1000
  t.equal(await here.load('nobody'), undefined)
  t.same(calls, ['find', 'find', 'all'], 'a second later, one more')
  calls.length = 0
  t.equal((await here.load('aria'))?.name, 'Aria', 'a known persona')
  t.same(calls, [], 'costs nothing')
})
