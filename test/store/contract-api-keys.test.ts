import t from 'tap'
import type { ApiKeyRepository, NewApiKey } from '../../src/auth/repository.ts'
import { createPostgresApiKeyRepository } from '../../src/store/postgres/api-keys.ts'
import { createSqliteApiKeyRepository } from '../../src/store/sqlite/api-keys.ts'
import { forBothStores } from '../helpers/both-stores.ts'
import { minutesWith } from '../helpers/store-fixtures.ts'

// The API key repository behaves the same on SQLite and PostgreSQL: records, Dates and nulls, first revocation
// only, uses of live keys only, newest first; on PostgreSQL a revocation by one instance stops another's uses.

const at = minutesWith(456)
const key = (n: number, patch: Partial<NewApiKey> = {}): NewApiKey =>
  ({ userId: `user${n}`, scope: 'client', label: `key ${n}`, keyHash: `hash${n}`, keyPrefix: `pmk_${n}`, ...patch })

forBothStores<ApiKeyRepository>(t, { sqlite: createSqliteApiKeyRepository, postgres: createPostgresApiKeyRepository }, (t, store) => {
  t.test('created with an id and now, found by hash and id, used and revoked once', async (t) => {
    const { repo } = await store.open(t)
    t.equal(await repo.countLive(), 0)
    t.equal(await repo.findByHash('hash1'), null)
    t.equal(await repo.findById('nope'), null)
    const before = Date.now()
    const created = await repo.create(key(1, { scope: 'admin' }))
    t.same(created, { ...key(1, { scope: 'admin' }), id: created.id, createdAt: created.createdAt, lastUsedAt: null, revokedAt: null })
    t.ok(created.createdAt instanceof Date && created.createdAt.getTime() >= before - 5 && created.createdAt.getTime() <= Date.now() + 5, 'created now')
    t.same(await repo.findByHash('hash1'), created)
    t.same(await repo.findById(created.id), created)
    t.equal(await repo.countLive(), 1)

    t.equal(await repo.markUsed('hash1', at(1)), true)
    t.equal(await repo.markUsed('hash9', at(1)), false, 'no such key')
    t.same((await repo.findByHash('hash1'))?.lastUsedAt, at(1), 'to the millisecond')

    t.same(await repo.revoke(created.id, at(2)), { ...created, lastUsedAt: at(1), revokedAt: at(2) })
    t.same((await repo.revoke(created.id, at(3)))?.revokedAt, at(2), 'the first revocation stays')
    t.equal(await repo.revoke('nope', at(3)), null)
    t.equal(await repo.markUsed('hash1', at(4)), false, 'a revoked key is not used')
    t.same((await repo.findById(created.id))?.lastUsedAt, at(1))
    t.equal(await repo.countLive(), 0)
  })

  t.test('a hash is one key', async (t) => {
    const { repo } = await store.open(t)
    await repo.create(key(1))
    await t.rejects(repo.create(key(2, { keyHash: 'hash1' })))
  })

  t.test('pages newest first, ties by id; the total counts revoked keys too', async (t) => {
    const { repo, prisma } = await store.open(t)
    const keys = []
    for (let n = 0; n < 5; n++) keys.push(await repo.create(key(n)))
    // creation times set apart, but two keys created in the same millisecond: there the id decides
    const [tied1, tied2] = [keys[1]!, keys[2]!]
    for (const [n, k] of keys.entries()) await prisma.apiKey.update({ where: { id: k.id }, data: { createdAt: k === tied1 || k === tied2 ? at(30) : at(n) } })
    await repo.revoke(keys[0]!.id, at(40))
    const newest = [...[tied1.id, tied2.id].sort(), keys[4]!.id, keys[3]!.id, keys[0]!.id]
    const pages = []
    for (let offset = 0; offset < 6; offset += 2) pages.push(await repo.page(2, offset))
    t.same(pages.map((p) => p.total), [5, 5, 5])
    t.same(pages.flatMap((p) => p.items.map((k) => k.id)), newest, 'complete and in order')
    t.same(pages[2]!.items[0]?.revokedAt, at(40))
    t.same(await repo.page(10, 10), { items: [], total: 5 })
  })

  if (store.name === 'postgres') {
    t.test('a key revoked on one instance is refused on another at its next use', async (t) => {
      const { repo, another } = await store.open(t)
      const other = await another()
      const created = await repo.create(key(1))
      t.equal(await other.markUsed('hash1', at(1)), true)
      await repo.revoke(created.id, at(2))
      t.equal(await other.markUsed('hash1', at(3)), false)
      t.same((await other.findById(created.id))?.revokedAt, at(2))
    })
  }
})
