import t from 'tap'
import type { McpSessionRecord, McpSessionRepository } from '../../src/mcp/repository.ts'
import { createPostgresMcpSessionRepository } from '../../src/store/postgres/mcp-sessions.ts'
import { createSqliteMcpSessionRepository } from '../../src/store/sqlite/mcp-sessions.ts'
import { forBothStores } from '../helpers/both-stores.ts'

// The MCP HTTP session records behave the same on SQLite and PostgreSQL: the initialize params come back as
// saved, a touch never moves lastSeenAt back and fails on a gone or idle-expired record, and the idle go.

const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute, 0, 456))
const record = (id: string, userId: string, minute: number): McpSessionRecord => ({
  id, userId, protocolVersion: '2025-11-25', capabilities: { elicitation: { form: {} }, roots: { listChanged: true } },
  clientInfo: { name: 'client', version: '1.2.3' }, personaSessionId: null, createdAt: at(minute), lastSeenAt: at(minute),
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
})
