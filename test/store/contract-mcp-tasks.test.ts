import t, { type Test } from 'tap'
import type { McpTaskRecord, McpTaskRepository } from '../../src/mcp/repository.ts'
import { createPostgresMcpSessionRepository } from '../../src/store/postgres/mcp-sessions.ts'
import { createPostgresMcpTaskRepository } from '../../src/store/postgres/mcp-tasks.ts'
import { createSqliteMcpSessionRepository } from '../../src/store/sqlite/mcp-sessions.ts'
import { createSqliteMcpTaskRepository } from '../../src/store/sqlite/mcp-tasks.ts'
import { forBothStores } from '../helpers/both-stores.ts'

// The tasks of MCP HTTP sessions behave the same on SQLite and PostgreSQL: found only through their session,
// changed until they end and never after (of two instances ending one at once, exactly one wins), listed
// oldest first in pages, deleted when their ttl (from their last update) runs out or with their session.

const at = (minute: number, ms = 456) => new Date(Date.UTC(2030, 0, 1, 0, minute, 0, ms))
const task = (taskId: string, sessionId: string, minute: number, extra: Partial<McpTaskRecord> = {}): McpTaskRecord => ({
  taskId, sessionId, status: 'working', statusMessage: null, ttl: null, pollInterval: null, createdAt: at(minute), lastUpdatedAt: at(minute), result: null, heldUntil: null, ...extra,
})

interface Repos { tasks: McpTaskRepository, sessions: ReturnType<typeof createSqliteMcpSessionRepository> }

forBothStores<Repos>(t, {
  sqlite: (db) => ({ tasks: createSqliteMcpTaskRepository(db), sessions: createSqliteMcpSessionRepository(db) }),
  postgres: (db) => ({ tasks: createPostgresMcpTaskRepository(db), sessions: createPostgresMcpSessionRepository(db) }),
}, (t, store) => {
  /** a store with the McpSession records the tasks' foreign key needs */
  const open = async (t: Test, ...sessionIds: string[]) => {
    const opened = await store.open(t)
    for (const id of sessionIds) {
      await opened.repo.sessions.save({
        id, userId: 'alice', protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'client', version: '1' },
        personaSessionId: null, subscriptions: [], logLevel: null, createdAt: at(0), lastSeenAt: at(0),
      })
    }
    return opened
  }

  t.test('created and found as created, only through its own session', async (t) => {
    const { repo: { tasks }, another } = await open(t, 's1', 's2')
    const full = task('t1', 's1', 10, {
      status: 'input_required', statusMessage: 'waiting', ttl: 60_000, pollInterval: 500, lastUpdatedAt: at(11, 7),
      result: { content: [{ type: 'text', text: 'é "quoted" ✓' }], isError: false, structured: { n: 1.5, none: null } },
    })
    await tasks.create(full)
    await tasks.create(task('t2', 's1', 12))
    t.same(await tasks.find('t1', 's1'), full, 'every field, Dates to the millisecond, the result as JSON')
    t.same(await tasks.find('t2', 's1'), task('t2', 's1', 12), 'nulls stay null')
    t.same(await (await another()).tasks.find('t1', 's1'), full, 'another instance reads it')
    t.equal(await tasks.find('t1', 's2'), null, 'another session does not see it')
    t.equal(await tasks.find('nope', 's1'), null)
  })

  t.test('a task is changed until it ends, never after', async (t) => {
    const { repo: { tasks } } = await open(t, 's1', 's2')
    await tasks.create(task('t1', 's1', 10, { ttl: 60_000 }))
    t.equal(await tasks.transition('t1', 's2', { status: 'cancelled' }, at(11)), false, 'not through another session')
    t.same(await tasks.find('t1', 's1'), task('t1', 's1', 10, { ttl: 60_000 }), 'which changed nothing')
    t.equal(await tasks.transition('nope', 's1', { status: 'cancelled' }, at(11)), false, 'no such task')

    t.equal(await tasks.transition('t1', 's1', { status: 'input_required', statusMessage: 'which file?' }, at(11, 1)), true)
    t.same(await tasks.find('t1', 's1'), task('t1', 's1', 10, { ttl: 60_000, status: 'input_required', statusMessage: 'which file?', lastUpdatedAt: at(11, 1) }))
    t.equal(await tasks.transition('t1', 's1', { status: 'working' }, at(12)), true)
    t.same(await tasks.find('t1', 's1'), task('t1', 's1', 10, { ttl: 60_000, statusMessage: 'which file?', lastUpdatedAt: at(12) }),
      'a change without a status message keeps the one before')
    const result = { content: [{ type: 'text', text: 'done' }] }
    t.equal(await tasks.transition('t1', 's1', { status: 'completed', statusMessage: 'finished', result }, at(13, 999)), true)
    const ended = task('t1', 's1', 10, { ttl: 60_000, status: 'completed', statusMessage: 'finished', lastUpdatedAt: at(13, 999), result })
    t.same(await tasks.find('t1', 's1'), ended)

    for (const status of ['working', 'cancelled', 'failed', 'completed'] as const) {
      t.equal(await tasks.transition('t1', 's1', { status, statusMessage: 'late', result: { late: true } }, at(14)), false, `ended: no ${status} after`)
    }
    t.same(await tasks.find('t1', 's1'), ended, 'and nothing changed')

    await tasks.create(task('t2', 's1', 10))
    t.equal(await tasks.transition('t2', 's1', { status: 'failed', result: { isError: true } }, at(11)), true)
    t.equal(await tasks.transition('t2', 's1', { status: 'working' }, at(12)), false, 'failed is an end too')
    await tasks.create(task('t3', 's1', 10))
    t.equal(await tasks.transition('t3', 's1', { status: 'cancelled' }, at(11)), true)
    t.same(await tasks.find('t3', 's1'), task('t3', 's1', 10, { status: 'cancelled', lastUpdatedAt: at(11) }), 'cancelled without a result: result stays null')
    t.equal(await tasks.transition('t3', 's1', { status: 'completed', result: { late: true } }, at(12)), false, 'cancelled is an end too')
  })

  t.test('two instances ending a task at once: exactly one wins, and the row is the winner\'s', async (t) => {
    const { repo: { tasks }, another } = await open(t, 's1')
    const [a, b] = [(await another()).tasks, (await another()).tasks]
    const result = { content: [{ type: 'text', text: 'the answer' }] }
    for (let i = 0; i < 20; i++) {
      const id = `t${i}`
      await tasks.create(task(id, 's1', 10))
      const [completed, cancelled] = await Promise.all([
        a.transition(id, 's1', { status: 'completed', statusMessage: 'done', result }, at(20)),
        b.transition(id, 's1', { status: 'cancelled', statusMessage: 'cancelled by the client' }, at(21)),
      ])
      t.not(completed, cancelled, `${id}: one of the two`)
      t.same(await tasks.find(id, 's1'), completed
        ? task(id, 's1', 10, { status: 'completed', statusMessage: 'done', result, lastUpdatedAt: at(20) })
        : task(id, 's1', 10, { status: 'cancelled', statusMessage: 'cancelled by the client', lastUpdatedAt: at(21) }), `${id}: the winner's row`)
    }
  })

  t.test('listed oldest first in pages; a cursor naming no task of the session is null', async (t) => {
    const { repo: { tasks } } = await open(t, 's1', 's2')
    // t-b and t-B are created at the same millisecond: taskId in byte order breaks the tie ('B' < 'b')
    await tasks.create(task('t-b', 's1', 10))
    await tasks.create(task('t-a', 's1', 20))
    await tasks.create(task('t-B', 's1', 10))
    await tasks.create(task('t-x', 's2', 5))
    const ids = (records: McpTaskRecord[] | null) => records?.map((r) => r.taskId) ?? null
    const page1 = await tasks.list('s1', undefined, 2)
    t.same(ids(page1), ['t-B', 't-b'])
    t.same(page1?.[0], task('t-B', 's1', 10), 'whole records')
    t.same(ids(await tasks.list('s1', 't-b', 2)), ['t-a'], 'after the cursor')
    t.same(ids(await tasks.list('s1', 't-a', 2)), [], 'after the last: an empty page')
    t.same(ids(await tasks.list('s1', 't-B', 1)), ['t-b'])
    t.same(ids(await tasks.list('s1', undefined, 10)), ['t-B', 't-b', 't-a'], 'another session\'s task is never listed')
    t.equal(await tasks.list('s1', 'nope', 2), null, 'unknown cursor')
    t.equal(await tasks.list('s1', 't-x', 2), null, 'a cursor naming another session\'s task')
    t.same(ids(await tasks.list('s2', undefined, 10)), ['t-x'])
    t.same(await tasks.list('s3', undefined, 10), [], 'a session without tasks')
  })

  t.test('expired tasks are deleted: ttl counted from the last update; a null ttl never expires', async (t) => {
    const { repo: { tasks }, another } = await open(t, 's1')
    await tasks.create(task('short', 's1', 10, { ttl: 60_000 }))
    await tasks.create(task('moved', 's1', 10, { ttl: 60_000 }))
    await tasks.create(task('forever', 's1', 0))
    await tasks.create(task('forever-ended', 's1', 0))
    t.equal(await tasks.transition('moved', 's1', { status: 'completed', result: {} }, at(30)), true, 'its ttl counts again from here')
    t.equal(await tasks.transition('forever-ended', 's1', { status: 'completed', result: {} }, at(1)), true)
    t.equal(await tasks.deleteExpired(at(11)), 0, 'expires at 11:00.456, not before')
    t.equal(await tasks.deleteExpired(at(11, 457)), 1, 'one millisecond after')
    t.equal(await tasks.find('short', 's1'), null)
    t.ok(await tasks.find('moved', 's1'), 'updated at 30: kept')
    t.equal(await (await another()).tasks.deleteExpired(at(31, 456)), 0)
    t.equal(await (await another()).tasks.deleteExpired(at(31, 457)), 1, 'another instance deletes it a minute after its last update')
    t.equal(await tasks.deleteExpired(at(59_999)), 0, 'null ttl: never')
    t.same((await tasks.list('s1', undefined, 10))?.map((r) => r.taskId), ['forever', 'forever-ended'])
  })

  t.test('a task whose hold runs out without renewal is failed by any instance; renewed or ended ones are left', async (t) => {
    const { repo: { tasks }, another } = await open(t, 's1', 's2')
    await tasks.create(task('renewed', 's1', 10, { heldUntil: at(11) }))
    await tasks.create(task('abandoned', 's1', 10, { heldUntil: at(11), ttl: 60_000, statusMessage: 'running' }))
    await tasks.create(task('other-session', 's2', 10, { heldUntil: at(11) }))
    await tasks.create(task('ended', 's1', 10, { heldUntil: at(11) }))
    await tasks.create(task('no-hold', 's1', 10))
    t.equal(await tasks.transition('ended', 's1', { status: 'completed', result: { ok: true } }, at(10, 500)), true)
    await tasks.renew(['renewed', 'ended', 'unknown'], at(13))
    t.same((await tasks.find('renewed', 's1'))?.heldUntil, at(13), 'renewed')
    t.same((await tasks.find('ended', 's1'))?.heldUntil, at(11), 'an ended task is not held any more: not renewed')
    await tasks.renew([], at(20))
    const end = { status: 'failed' as const, statusMessage: 'its instance stopped', result: { isError: true, content: [] } }
    t.equal(await tasks.failAbandoned(at(11), end), 0, 'held until exactly now: not yet')
    t.equal(await (await another()).tasks.failAbandoned(at(12), end), 2, 'another instance fails the two not renewed, of both sessions')
    t.match(await tasks.find('abandoned', 's1'), { status: 'failed', statusMessage: 'its instance stopped', result: end.result, lastUpdatedAt: at(12) })
    t.match(await tasks.find('other-session', 's2'), { status: 'failed' })
    t.match(await tasks.find('renewed', 's1'), { status: 'working' })
    t.match(await tasks.find('ended', 's1'), { status: 'completed', result: { ok: true } }, 'an ended task keeps its end')
    t.match(await tasks.find('no-hold', 's1'), { status: 'working' }, 'a task with no hold is not judged')
    t.equal(await tasks.transition('abandoned', 's1', { status: 'completed', result: {} }, at(13)), false, 'a late result of the dead run is refused')
    t.equal(await tasks.deleteExpired(at(13, 457)), 1, 'its ttl counts from its failure')
    t.equal(await tasks.failAbandoned(at(14), end), 1, 'the renewed one, once its renewal ran out too')
  })

  t.test('deleting the session record deletes its tasks', async (t) => {
    const { repo: { tasks, sessions } } = await open(t, 's1', 's2')
    await tasks.create(task('t1', 's1', 10))
    await tasks.create(task('t2', 's1', 11))
    await tasks.create(task('t3', 's2', 12))
    await sessions.delete('s1')
    t.equal(await tasks.find('t1', 's1'), null)
    t.same(await tasks.list('s1', undefined, 10), [])
    t.same((await tasks.list('s2', undefined, 10))?.map((r) => r.taskId), ['t3'], 'another session keeps its own')
    await t.rejects(tasks.create(task('t4', 'gone', 13)), 'a task needs its session\'s record')
  })
})
