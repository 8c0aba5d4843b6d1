import t from 'tap'
import path from 'node:path'
import { openDatabase } from '../../src/store/sqlite/database.ts'

// Prisma's connection is opened by Prisma itself on its first query (not at start-up), and must still be set up
// as the raw handle is: foreign keys enforced, synchronous NORMAL.

t.test('Prisma connects on its first query, with foreign keys on and synchronous NORMAL', async (t) => {
  const db = await openDatabase({ file: path.join(t.testdir(), 'test.db') })
  t.teardown(() => db.close())
  const [fk] = await db.prisma.$queryRawUnsafe<Array<{ foreign_keys: bigint }>>('PRAGMA foreign_keys')
  t.equal(Number(fk?.foreign_keys), 1, 'foreign keys on')
  const [sync] = await db.prisma.$queryRawUnsafe<Array<{ synchronous: bigint }>>('PRAGMA synchronous')
  t.equal(Number(sync?.synchronous), 1, 'synchronous NORMAL')
  await t.rejects(
    db.prisma.emotionalState.create({ data: { personaId: 'ghost', mood: 0, energyLevel: 0, stressLevel: 0, curiosity: 0, socialBattery: 0 } }),
    /Foreign key constraint/i, 'an orphan row is refused',
  )
})

t.test('a database that is opened and closed without a Prisma query closes cleanly', async (t) => {
  const db = await openDatabase({ file: path.join(t.testdir(), 'test.db') })
  await db.close()
  t.notOk(db.sqlite.open)
})
