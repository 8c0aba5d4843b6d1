import { createServer, type AddressInfo, type Socket } from 'node:net'
import t from 'tap'
import pg from 'pg'
import { createSqliteStoredCounts, createSqliteStoreHealth } from '../../src/store/sqlite/system.ts'
import { createPostgresStoredCounts, createPostgresStoreHealth } from '../../src/store/postgres/system.ts'
import type { StoredCounts, StoreHealth } from '../../src/system/repository.ts'
import type { PostgresDatabase } from '../../src/store/postgres/database.ts'
import { forBothStores } from '../helpers/both-stores.ts'

// The system ports' contract, the same assertions on SQLite and PostgreSQL: the health probe, and the
// counts /metrics reports as plain numbers (PostgreSQL's count(*) is a bigint that pg hands back as text).

interface Ports { health: StoreHealth, counts: StoredCounts }

forBothStores<Ports>(t, {
  sqlite: (db) => ({ health: createSqliteStoreHealth(db), counts: createSqliteStoredCounts(db) }),
  postgres: (db) => ({ health: createPostgresStoreHealth(db), counts: createPostgresStoredCounts(db) }),
}, (t, store) => {
  t.test('ping resolves on an open database', async (t) => {
    const { repo } = await store.open(t)
    await t.resolves(repo.health.ping())
  })

  t.test('counts: live memories per persona (none counts 0), pruned memories, prune and decay runs', async (t) => {
    const { repo: { counts }, prisma, addPersona } = await store.open(t)
    t.same(await counts.memoriesPerPersona(), [])
    t.equal(await counts.prunedMemories(), 0)
    for (const id of ['kira', 'aria', 'zed']) await addPersona(id)
    const run = await prisma.pruneRun.create({ data: { trigger: 'manual', status: 'done' } })
    await prisma.pruneRun.create({ data: { trigger: 'auto', status: 'done' } })
    await prisma.decayRun.create({ data: { trigger: 'manual', mode: 'exponential', rate: 0.1 } })
    const memory = (personaId: string, pruned: boolean) => ({
      personaId, content: 'x', importance: 0.5, baseImportance: 0.5, relatedPersonas: [], metadata: {},
      ...(pruned ? { prunedAt: new Date(), pruneRunId: run.id } : {}),
    })
    await prisma.memory.createMany({ data: [memory('aria', false), memory('aria', false), memory('aria', true), memory('kira', true), memory('zed', false)] })
    const perPersona = await counts.memoriesPerPersona()
    t.same([...perPersona].sort((a, b) => a.persona < b.persona ? -1 : 1), [
      { persona: 'aria', memories: 2 }, { persona: 'kira', memories: 0 }, { persona: 'zed', memories: 1 },
    ])
    t.equal(await counts.prunedMemories(), 2)
    t.equal(await counts.pruneRuns(), 2)
    t.equal(await counts.decayRuns(), 1)
  })
})

t.test('PostgreSQL ping: bounded, naming where it waited', async (t) => {
  // a server that accepts the connection and never answers: a PostgreSQL behind a dropped route
  const silent = createServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const sockets = new Set<Socket>()
  silent.on('connection', (socket) => sockets.add(socket))
  const pool = new pg.Pool({ connectionString: `postgresql://postgres@127.0.0.1:${(silent.address() as AddressInfo).port}/persona` })
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    silent.close()
    await pool.end().catch(() => {})
  })
  const health = createPostgresStoreHealth({ pool, where: 'postgresql://db/persona' } as PostgresDatabase, 100)
  await t.rejects(health.ping(), { message: 'PostgreSQL at postgresql://db/persona did not answer within 100 ms' })
})
