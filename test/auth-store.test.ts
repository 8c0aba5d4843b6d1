import t from 'tap'
import { createAuthService } from '../src/auth/service.ts'
import { openStore } from '../src/store/index.ts'

t.test('API keys in SQLite: hashes only, last use throttled, revocation once, newest first, erased users forgotten', async (t) => {
  const store = await openStore({ url: `file:${t.testdir()}/keys.db` })
  t.teardown(() => store.close())
  let clock = Date.parse('2026-03-01T10:00:00Z')
  const auth = await createAuthService({ repository: store.repositories.apiKeys, configured: [], now: () => clock })
  t.equal(auth.enabled(), false, 'no keys, no authentication')
  const first = await auth.create({ userId: 'alice', scope: 'client', label: 'laptop' })
  clock += 1000
  // the store stamps createdAt itself (real time): two keys in one millisecond would tie
  await new Promise((resolve) => setTimeout(resolve, 5))
  const second = await auth.create({ userId: 'bob', scope: 'admin' })
  t.equal(auth.enabled(), true)
  const rows = store.sqlite!.sqlite.prepare('SELECT * FROM ApiKey').all() as Array<Record<string, unknown>>
  t.notMatch(JSON.stringify(rows), first.secret, 'the secret is not stored')
  t.equal(first.keyPrefix, first.secret.slice(0, 8))

  t.same(await auth.identify(first.secret), { id: 'alice', scope: 'client' })
  const lastUsed = () => (store.sqlite!.sqlite.prepare('SELECT lastUsedAt FROM ApiKey WHERE id = ?').get(first.id) as { lastUsedAt: string }).lastUsedAt
  const used = lastUsed()
  t.equal(Date.parse(used), clock, 'its use is recorded')
  clock += 1000
  await auth.identify(first.secret)
  t.equal(lastUsed(), used, 'but not on every request')

  const page = await auth.page(10, 0)
  t.same(page.items.map((k) => k.userId), ['bob', 'alice'], 'newest first')
  t.equal(page.total, 2)
  t.same((await auth.page(1, 1)).items.map((k) => k.userId), ['alice'])

  const revoked = await auth.revoke(first.id)
  t.equal(revoked.revokedAt?.getTime(), clock)
  clock += 1000
  t.equal((await auth.revoke(first.id)).revokedAt?.getTime(), revoked.revokedAt?.getTime(), 'revoking twice keeps the first time')
  t.equal(await auth.identify(first.secret), null, 'a revoked key is refused')
  await t.rejects(auth.revoke('nope'), { code: -32010 }, 'an unknown key is not found')

  // revoked behind this service's back (another instance): refused at the next periodic check
  const third = await auth.create({ userId: 'carol', scope: 'client' })
  t.ok(await auth.identify(third.secret))
  store.sqlite!.sqlite.prepare("UPDATE ApiKey SET revokedAt = '2026-03-01T10:00:00.000+00:00' WHERE userId = 'carol'").run()
  t.ok(await auth.identify(third.secret), 'cached within the minute')
  clock += 61_000
  t.equal(await auth.identify(third.secret), null, 'refused once the minute is up')

  t.same(await auth.identify(second.secret), { id: 'bob', scope: 'admin' })
  store.sqlite!.sqlite.prepare("DELETE FROM ApiKey WHERE userId = 'bob'").run()
  t.same(await auth.identify(second.secret), { id: 'bob', scope: 'admin' }, 'remembered until told')
  await auth.forgetUser('bob')
  t.equal(await auth.identify(second.secret), null, 'an erased user\'s key stops working at once')
  t.equal(auth.enabled(), false, 'and with no live key left, authentication is off again')
})
