import t from 'tap'
import { createAccessLog } from '../../src/memory/access-log.ts'
import type { MemoryAccess } from '../../src/memory/repository.ts'
import { openDatabase } from '../../src/store/sqlite/database.ts'
import { build, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'

// Recalls (access counts and times) are batched: no database write on a search's way back, every recall
// written in the end, at the latest when the server closes.

const counts = (app: Awaited<ReturnType<typeof build>>) =>
  Object.fromEntries((app.db.sqlite.prepare('SELECT id, accessCount FROM Memory').all() as Array<{ id: string, accessCount: number }>).map((r) => [r.id, r.accessCount]))

t.test('a search writes nothing on its way back; its recalls are written together, and on close', async (t) => {
  const dataDir = t.testdir()
  const app = await build(t, { server: { dataDir } })
  const aria = app.personas.get('aria').id
  const { id } = await app.memory.store({ personaId: aria, userId: 'anonymous', content: 'Orin keeps bees in Dunmore' })
  const search = () => app.memory.search({ personaIds: [aria], userId: 'anonymous', query: 'bees in Dunmore', limit: 3 })
  for (let i = 0; i < 3; i++) await search()
  t.same(counts(app), { [id]: 0 }, 'nothing written yet')
  t.equal((await search())[0]?.accessCount, 3, 'a later search sees the earlier recalls')
  t.equal((await app.memory.get(id))?.accessCount, 4, 'so does a read of the memory')

  await app.memory.flushAccesses()
  t.same(counts(app), { [id]: 4 }, 'flushed: all four in the database')
  const last = app.db.sqlite.prepare('SELECT lastAccessedAt FROM Memory WHERE id = ?').pluck().get(id) as string
  t.ok(Date.now() - Date.parse(last) < 60_000, `the last access time is recent (${last})`)

  await search()
  const file = app.db.file
  await app.close()
  const reopened = await openDatabase({ file })
  t.teardown(() => reopened.close())
  t.equal(reopened.sqlite.prepare('SELECT accessCount FROM Memory WHERE id = ?').pluck().get(id), 5, 'the recall before the close was not lost')
})

t.test('the flush timer writes on its own, a few hundred ms later', async (t) => {
  const app = await build(t)
  const client = await RpcClient.connect(await listen(app))
  t.teardown(() => client.terminate())
  const { memory_id } = await client.call('memory.store', { persona_id: 'aria', content: 'Kira catalogues the moon maps' })
  const found = await client.call('memory.search', { persona_id: 'aria', query: 'moon maps' })
  t.equal(found.memories[0].id, memory_id)
  t.equal(counts(app)[memory_id], 0, 'not written by the search itself')
  const until = Date.now() + 3000
  while (counts(app)[memory_id] === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(counts(app)[memory_id], 1, 'written by the timer')
})

t.test('a failed write keeps its recalls for the next one', async (t) => {
  const db = await openDatabase({ file: `${t.testdir()}/access.db` })
  t.teardown(() => db.close())
  db.sqlite.prepare(`INSERT INTO Persona (id, name, nameKey, personalityTraits, topicPreferences, updatedAt) VALUES ('p', 'p', 'p', '{}', '{}', '2026-01-01T00:00:00.000+00:00')`).run()
  db.sqlite.prepare(`INSERT INTO Memory (id, personaId, content, importance, baseImportance, relatedPersonas, metadata, createdAt)
    VALUES ('m', 'p', 'x', 0.5, 0.5, '[]', '{}', '2026-01-01T00:00:00.000+00:00')`).run()
  const access = db.sqlite.prepare('UPDATE Memory SET accessCount = accessCount + ? WHERE id = ?')
  let fail = true
  const warnings: object[] = []
  const log = createAccessLog({
    repository: {
      async recordAccesses (batch: MemoryAccess[]) {
        if (fail) { fail = false; throw new Error('disk full') }
        for (const a of batch) access.run(a.count, a.id)
      },
    },
    log: { warn: (obj) => { warnings.push(obj) } },
    flushMs: 60_000,
  })
  log.record(['m', 'm'], 1000)
  await log.flush()
  t.equal(warnings.length, 1, 'the failure is logged')
  t.equal(log.overlay({ id: 'm', accessCount: 0, lastAccessedAt: null }).accessCount, 2, 'and the recalls are still noted')
  log.record(['m'], 2000)
  await log.flush()
  t.equal(db.sqlite.prepare('SELECT accessCount FROM Memory').pluck().get(), 3, 'the next write carries all three')
  t.same(log.overlay({ id: 'm', accessCount: 3, lastAccessedAt: 2000 }), { id: 'm', accessCount: 3, lastAccessedAt: 2000 }, 'nothing left noted')
})
