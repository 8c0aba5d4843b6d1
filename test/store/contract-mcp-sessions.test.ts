import t from 'tap'
import type { McpSessionRecord, McpSessionRepository } from '../../src/mcp/repository.ts'
import { createPostgresMcpSessionRepository } from '../../src/store/postgres/mcp-sessions.ts'
import { createSqliteMcpSessionRepository } from '../../src/store/sqlite/mcp-sessions.ts'
import { forBothStores } from '../helpers/both-stores.ts'

// The MCP HTTP session records behave the same on SQLite and PostgreSQL: the initialize params come back as
// saved, a touch never moves lastSeenAt back and fails on a gone or idle-expired record, and the idle go; the
// subscriptions and log level every copy serves are kept in order, capped, and land when instances change them at once.

const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute, 0, 456))
const record = (id: string, userId: string, minute: number): McpSessionRecord => ({
  id, userId, protocolVersion: '2025-11-25', capabilities: { elicitation: { form: {} }, roots: { listChanged: true } },
  clientInfo: { name: 'client', version: '1.2.3' }, personaSessionId: null, subscriptions: [], logLevel: null, createdAt: at(minute), lastSeenAt: at(minute),
})

forBothStores<McpSessionRepository>(t, { sqlite: createSqliteMcpSessionRepository, postgres: createPostgresMcpSessionRepository }, (t, store) => {
  t.test('saved, found as saved, touched forward only, deleted', async (t) => {
    const { repo } = await store.open(t)
    t.equal(await repo.find('s1'), null)
    await repo.save(record('s1', 'alice', 10))
    t.same(await repo.find('s1'), record('s1', 'alice', 10), 'params, Dates to the millisecond')
    t.equal(await repo.touch('s1', at(20), at(5)), true)
    t.same((await repo.find('s1'))?.lastSeenAt, at(20))
    t.equal(await repo.touch('s1', at(15), at(5)), true, 'an older use still counts as alive')
    t.same((await repo.find('s1'))?.lastSeenAt, at(20), 'but lastSeenAt does not move back')
    t.equal(await repo.touch('s1', at(40), at(30)), false, 'last seen before the cutoff: expired, not revived')
    t.same((await repo.find('s1'))?.lastSeenAt, at(20))
    t.equal(await repo.touch('nope', at(40), at(0)), false, 'no such session')
    await repo.delete('s1')
    t.equal(await repo.find('s1'), null)
    await repo.delete('s1')
  })

  t.test('a user\'s live sessions, least recently seen first; the idle ones deleted; another instance sees it all', async (t) => {
    const { repo, another } = await store.open(t)
    for (const [id, user, minute] of [['a1', 'alice', 30], ['a2', 'alice', 10], ['a3', 'alice', 20], ['b1', 'bob', 5]] as const) await repo.save(record(id, user, minute))
    t.same(await repo.liveOf('alice', at(15)), [{ id: 'a3', lastSeenAt: at(20) }, { id: 'a1', lastSeenAt: at(30) }])
    t.same(await repo.liveOf('carol', at(0)), [])
    const other = await another()
    t.equal(await other.deleteIdleBefore(at(15)), 2, 'a2 and b1')
    t.equal(await repo.find('a2'), null)
    t.equal(await repo.find('b1'), null)
    t.same((await other.find('a1'))?.userId, 'alice')
  })

  t.test('touchAndRead: a touch that reads the persona session the record names and its current persona', async (t) => {
    const { repo, prisma, addPersona, another } = await store.open(t)
    await addPersona('aria')
    await repo.save({ ...record('m1', 'alice', 10), personaSessionId: 'ps1' })
    t.same(await repo.find('m1'), { ...record('m1', 'alice', 10), personaSessionId: 'ps1' }, 'saved with its persona session')
    t.same(await repo.touchAndRead('m1', at(20), at(5)), { personaSessionId: 'ps1', currentPersonaId: undefined, turnCount: undefined }, 'no Session row yet: undefined, not null')
    t.same((await repo.find('m1'))?.lastSeenAt, at(20), 'and it touched')
    await prisma.session.create({ data: { id: 'ps1', userId: 'alice', createdAt: at(1), lastActivityAt: at(1) } })
    t.same(await repo.touchAndRead('m1', at(21), at(5)), { personaSessionId: 'ps1', currentPersonaId: null, turnCount: undefined }, 'a stored session without a persona')
    await prisma.session.update({ where: { id: 'ps1' }, data: { currentPersonaId: 'aria' } })
    const other = await another()
    t.same(await other.touchAndRead('m1', at(22), at(5)), { personaSessionId: 'ps1', currentPersonaId: 'aria', turnCount: undefined }, 'another instance reads the switch')
    await prisma.conversation.create({ data: { id: 'c1', sessionId: 'ps1', userId: 'alice', personaId: 'aria', turnCount: 3 } })
    t.same(await repo.touchAndRead('m1', at(22), at(5)), { personaSessionId: 'ps1', currentPersonaId: 'aria', turnCount: 3 }, 'and how far its thread with that persona is')
    await prisma.session.create({ data: { id: 'ps2', userId: 'alice', createdAt: at(1), lastActivityAt: at(1) } })
    await other.setPersonaSession('m1', 'ps2')
    t.same(await repo.touchAndRead('m1', at(23), at(5)), { personaSessionId: 'ps2', currentPersonaId: null, turnCount: undefined }, 'a replacement recorded elsewhere')
    t.equal(await repo.touchAndRead('m1', at(40), at(30)), null, 'idle-expired: null, as touch is false')
    t.equal(await repo.touchAndRead('nope', at(40), at(0)), null, 'no such session')
    await repo.save(record('m2', 'alice', 10))
    t.same(await repo.touchAndRead('m2', at(11), at(5)), { personaSessionId: null, currentPersonaId: undefined, turnCount: undefined }, 'a record naming none')
  })

  t.test('subscriptions and log level: saved and found, overwritten by a save of the same id', async (t) => {
    const { repo, another } = await store.open(t)
    const saved = { ...record('s1', 'alice', 10), subscriptions: ['persona://aria', 'persona://bo/memories'], logLevel: 'debug' }
    await repo.save(saved)
    t.same(await repo.find('s1'), saved, 'both fields come back as saved, in order')
    t.same(await (await another()).find('s1'), saved, 'and another instance reads them')
    await repo.save({ ...record('s1', 'bob', 20), subscriptions: ['persona://cy'] })
    t.same(await repo.find('s1'), { ...record('s1', 'bob', 20), subscriptions: ['persona://cy'] }, 'a save of an existing id overwrites them (the level back to null)')
    await repo.save(record('s1', 'bob', 20))
    t.same((await repo.find('s1'))?.subscriptions, [], 'and an empty list')
  })

  t.test('subscribe adds in first-subscribed order, once, up to the cap; unsubscribe removes; setLogLevel', async (t) => {
    const { repo } = await store.open(t)
    await repo.save(record('s1', 'alice', 10))
    t.equal(await repo.subscribe('s1', 'persona://b', 3), true)
    t.equal(await repo.subscribe('s1', 'persona://a', 3), true)
    t.same((await repo.find('s1'))?.subscriptions, ['persona://b', 'persona://a'], 'in the order subscribed, not sorted')
    t.equal(await repo.subscribe('s1', 'persona://b', 3), true, 'already there: true')
    t.same((await repo.find('s1'))?.subscriptions, ['persona://b', 'persona://a'], 'and not added twice, nor moved')
    t.equal(await repo.subscribe('s1', 'persona://c', 3), true, 'the third of three')
    t.equal(await repo.subscribe('s1', 'persona://d', 3), false, 'a fourth is refused for the cap')
    t.same((await repo.find('s1'))?.subscriptions, ['persona://b', 'persona://a', 'persona://c'], 'which leaves the list as it was')
    t.equal(await repo.subscribe('s1', 'persona://a', 3), true, 'one already there is still true at the cap')
    t.equal(await repo.subscribe('s1', 'persona://a', 2), true, 'even over a lowered cap')
    await repo.unsubscribe('s1', 'persona://a')
    t.same((await repo.find('s1'))?.subscriptions, ['persona://b', 'persona://c'], 'removed, the others in order')
    await repo.unsubscribe('s1', 'persona://a')
    await repo.unsubscribe('s1', 'persona://zzz')
    t.same((await repo.find('s1'))?.subscriptions, ['persona://b', 'persona://c'], 'removing one not there: nothing happens')
    t.equal(await repo.subscribe('s1', 'persona://d', 3), true, 'room again after an unsubscribe')
    t.same((await repo.find('s1'))?.subscriptions, ['persona://b', 'persona://c', 'persona://d'], 'appended at the end')
    t.equal(await repo.subscribe('s1', 'persona://"quoted" \\ ünï', 5), true, 'a URI JSON must escape')
    t.same((await repo.find('s1'))?.subscriptions, ['persona://b', 'persona://c', 'persona://d', 'persona://"quoted" \\ ünï'])
    await repo.unsubscribe('s1', 'persona://"quoted" \\ ünï')
    t.same((await repo.find('s1'))?.subscriptions, ['persona://b', 'persona://c', 'persona://d'])
    t.equal(await repo.subscribe('nope', 'persona://a', 3), false, 'no such session: false')
    await repo.unsubscribe('nope', 'persona://a')
    t.equal(await repo.find('nope'), null, 'and nothing is created')

    t.equal((await repo.find('s1'))?.logLevel, null, 'never set: null')
    await repo.setLogLevel('s1', 'warning')
    t.equal((await repo.find('s1'))?.logLevel, 'warning')
    await repo.setLogLevel('s1', 'debug')
    t.equal((await repo.find('s1'))?.logLevel, 'debug')
    await repo.setLogLevel('nope', 'debug')
    t.equal(await repo.find('nope'), null)
    t.same((await repo.find('s1'))?.subscriptions, ['persona://b', 'persona://c', 'persona://d'], 'the level leaves the subscriptions alone')
  })

  t.test('two instances subscribing one session at once: every subscription lands, the cap holds', async (t) => {
    const { repo, another } = await store.open(t)
    const other = await another()
    await repo.save(record('s1', 'alice', 10))
    const mine = Array.from({ length: 20 }, (_, i) => `persona://mine/${i}`)
    const theirs = Array.from({ length: 20 }, (_, i) => `persona://theirs/${i}`)
    const results = await Promise.all([...mine.map(async (u) => await repo.subscribe('s1', u, 100)), ...theirs.map(async (u) => await other.subscribe('s1', u, 100))])
    t.ok(results.every((r) => r), 'each told true')
    const list = (await repo.find('s1'))?.subscriptions ?? []
    // (calls in flight at once take the pool's connections in any order, so no order is promised between them)
    t.same([...list].sort(), [...mine, ...theirs].sort(), 'and all 40 are there, once each')

    const again = await Promise.all([...mine.map(async (u) => await other.subscribe('s1', u, 100)), ...theirs.map(async (u) => await repo.subscribe('s1', u, 100))])
    t.ok(again.every((r) => r), 'repeats from the other side are true')
    t.equal((await repo.find('s1'))?.subscriptions.length, 40, 'and add nothing')

    await Promise.all([...mine.map(async (u) => { await repo.unsubscribe('s1', u) }), ...theirs.slice(0, 10).map(async (u) => { await other.unsubscribe('s1', u) })])
    t.same((await repo.find('s1'))?.subscriptions.sort(), theirs.slice(10).sort(), 'unsubscribes at once all land too')

    const capped = Array.from({ length: 30 }, (_, i) => `persona://capped/${i}`)
    const told = await Promise.all(capped.map(async (u, i) => await (i % 2 === 0 ? repo : other).subscribe('s1', u, 25)))
    const list2 = (await repo.find('s1'))?.subscriptions ?? []
    t.equal(list2.length, 25, 'racing past the cap: it holds')
    t.equal(told.filter((r) => r).length, 15, 'and exactly the ones added were told true')
    t.same(capped.filter((_, i) => told[i]).sort(), list2.slice(10).sort())
  })
})
