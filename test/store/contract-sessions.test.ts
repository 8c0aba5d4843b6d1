import t from 'tap'
import { forBothStores } from '../helpers/both-stores.ts'
import { conversationPorts, minutesWith, openWithPersonas, userTurn, type ConversationPorts } from '../helpers/store-fixtures.ts'

// The session repository's contract, the same assertions on SQLite and PostgreSQL: what each method stores,
// the operator's list order and counts, and what goes with a deletion (threads are the conversation port's).

const at = minutesWith(123)

forBothStores<ConversationPorts>(t, conversationPorts, (t, store) => {
  const open = async () => await openWithPersonas(t, store, ['aria', 'kira'])

  t.test('saved once, persona and activity updated, times to the millisecond as Dates', async (t) => {
    const { repo: { sessions } } = await open()
    t.equal(await sessions.findById('s1'), undefined)
    await sessions.save({ id: 's1', userId: 'alice', personaId: null }, at(0))
    t.same(await sessions.findById('s1'), { id: 's1', userId: 'alice', currentPersonaId: null, createdAt: at(0), lastActivityAt: at(0) })
    await sessions.save({ id: 's1', userId: 'alice', personaId: 'aria' }, at(5))
    const found = await sessions.findById('s1')
    t.same(found, { id: 's1', userId: 'alice', currentPersonaId: 'aria', createdAt: at(0), lastActivityAt: at(0) }, 'a second save changes the persona only')
    t.ok(found?.createdAt instanceof Date)
    await sessions.setPersona('s1', 'kira', at(7))
    t.same(await sessions.findById('s1'), { id: 's1', userId: 'alice', currentPersonaId: 'kira', createdAt: at(0), lastActivityAt: at(7) })
    await sessions.touch('s1', at(9))
    t.match(await sessions.findById('s1'), { currentPersonaId: 'kira', lastActivityAt: at(9) })
    await sessions.setPersona('s1', null, at(10))
    t.match(await sessions.findById('s1'), { currentPersonaId: null, lastActivityAt: at(10) }, 'the persona cleared')
    await sessions.touch('nobody', at(11))
    await sessions.setPersona('nobody', 'aria', at(11))
    t.equal(await sessions.findById('nobody'), undefined, 'updates of an unknown session store nothing')
  })

  t.test('a session naming a persona that does not exist is refused', async (t) => {
    const { repo: { sessions } } = await open()
    await t.rejects(sessions.save({ id: 's', userId: 'alice', personaId: 'ghost' }, at(0)))
    t.equal(await sessions.findById('s'), undefined)
  })

  t.test('snapshots: kept as JSON, replaced, absent for unknown sessions', async (t) => {
    const { repo: { sessions } } = await open()
    await sessions.save({ id: 's1', userId: 'alice', personaId: null }, at(0))
    t.equal(await sessions.findSnapshot('s1'), undefined)
    t.equal(await sessions.findSnapshot('nobody'), undefined)
    const snapshot = { current_persona_id: 'kira', current_conversation_id: null, active_conversation_ids: ['c', 'd'], timestamp: at(9).toISOString() }
    await sessions.saveSnapshot('s1', snapshot)
    t.same(await sessions.findSnapshot('s1'), snapshot)
    await sessions.saveSnapshot('s1', { ...snapshot, active_conversation_ids: [] })
    t.same(await sessions.findSnapshot('s1'), { ...snapshot, active_conversation_ids: [] }, 'replaced')
  })

  t.test('idle: last activity strictly before the cutoff', async (t) => {
    const { repo: { sessions } } = await open()
    await sessions.save({ id: 's1', userId: 'alice', personaId: null }, at(10))
    await sessions.save({ id: 's2', userId: 'bob', personaId: null }, at(20))
    await sessions.save({ id: 's3', userId: 'bob', personaId: null }, at(30))
    t.same((await sessions.idleSince(at(25))).sort(), ['s1', 's2'])
    t.same(await sessions.idleSince(at(10)), [], 'at the cutoff is not before it')
  })

  t.test('the operator\'s list: most recently active first, ties by id, filtered, paged, with counts', async (t) => {
    const { repo: { sessions, conversations } } = await open()
    // ids whose byte order differs from a linguistic collation's
    for (const [id, user, minute] of [['b-1', 'alice', 5], ['B2', 'alice', 5], ['a_3', 'bob', 5], ['c', 'alice', 9]] as const) {
      await sessions.save({ id, userId: user, personaId: 'aria' }, at(minute))
    }
    await sessions.setPersona('c', 'kira', at(9))
    await sessions.saveSnapshot('b-1', { current_persona_id: null, current_conversation_id: null, active_conversation_ids: [], timestamp: at(5).toISOString() })
    await conversations.openThread('b-1', 'alice', 'aria', at(5))
    await conversations.openThread('b-1', 'alice', 'kira', at(5))

    const all = await sessions.list({ limit: 10, offset: 0 })
    t.equal(all.total, 4)
    t.same(all.items.map((s) => s.id), ['c', 'B2', 'a_3', 'b-1'], 'newest first, then ids in byte order')
    t.same(all.items.find((s) => s.id === 'b-1'), { id: 'b-1', userId: 'alice', currentPersonaId: 'aria', createdAt: at(5), lastActivityAt: at(5), hasSnapshot: true, conversationCount: 2 })
    t.same(all.items.find((s) => s.id === 'B2'), { id: 'B2', userId: 'alice', currentPersonaId: 'aria', createdAt: at(5), lastActivityAt: at(5), hasSnapshot: false, conversationCount: 0 })
    t.same(await sessions.list({ limit: 2, offset: 1 }).then((l) => ({ ids: l.items.map((s) => s.id), total: l.total })), { ids: ['B2', 'a_3'], total: 4 })
    t.same(await sessions.list({ userId: 'alice', currentPersonaId: 'aria', limit: 10, offset: 0 }).then((l) => ({ ids: l.items.map((s) => s.id), total: l.total })), { ids: ['B2', 'b-1'], total: 2 })
    t.same(await sessions.list({ userId: 'nobody', limit: 10, offset: 0 }), { items: [], total: 0 })
    t.same(await sessions.list({ limit: 10, offset: 10 }), { items: [], total: 4 }, 'past the end: the total still')

    t.same(await sessions.findListing('b-1'), all.items.find((s) => s.id === 'b-1'))
    t.equal(await sessions.findListing('nobody'), undefined)
  })

  t.test('a session\'s threads, most recently active first', async (t) => {
    const { repo: { sessions, conversations } } = await open()
    await sessions.save({ id: 's', userId: 'alice', personaId: null }, at(0))
    const aria = await conversations.openThread('s', 'alice', 'aria', at(1))
    const kira = await conversations.openThread('s', 'alice', 'kira', at(2))
    await conversations.appendTurn(aria.id, userTurn(1, at(3)), { turnCount: 1, tokens: 2, at: at(3) })
    t.same(await sessions.threadsOf('s'), [
      { id: aria.id, personaId: 'aria', turnCount: 1, lastActivityAt: at(3) },
      { id: kira.id, personaId: 'kira', turnCount: 0, lastActivityAt: at(2) },
    ])
    t.same(await sessions.threadsOf('nobody'), [])
  })

  t.test('deleted with their threads and messages; other sessions stay', async (t) => {
    const { repo: { sessions, conversations } } = await open()
    for (const id of ['s1', 's2', 's3']) await sessions.save({ id, userId: 'alice', personaId: null }, at(0))
    const t1 = await conversations.openThread('s1', 'alice', 'aria', at(1))
    await conversations.openThread('s1', 'alice', 'kira', at(1))
    const t2 = await conversations.openThread('s2', 'alice', 'aria', at(1))
    const t3 = await conversations.openThread('s3', 'alice', 'aria', at(1))
    for (const [thread, n] of [[t1, 1], [t1, 2], [t2, 1], [t3, 1]] as const) await conversations.appendTurn(thread.id, userTurn(n, at(2)), { turnCount: n, tokens: 2, at: at(2) })

    t.same(await sessions.deleteWithTranscripts(['s1', 's2', 'nobody']), { conversations: 3, messages: 6 })
    t.equal(await sessions.findById('s1'), undefined)
    t.equal(await sessions.findById('s2'), undefined)
    t.equal(await conversations.findConversation(t1.id), undefined, 'its threads went with it')
    t.equal(await conversations.countMessages(t1.id), 0)
    t.ok(await sessions.findById('s3'))
    t.equal(await conversations.countMessages(t3.id), 2, 'another session\'s messages stay')
    t.same(await sessions.deleteWithTranscripts([]), { conversations: 0, messages: 0 })
    t.same(await sessions.deleteWithTranscripts(['nobody']), { conversations: 0, messages: 0 })
  })

  t.test('two instances saving one session at once: one row, created once', async (t) => {
    const opened = await open()
    const instances = [opened.repo.sessions, (await opened.another()).sessions]
    await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      await instances[i % 2]!.save({ id: 's', userId: 'alice', personaId: i % 2 === 0 ? 'aria' : 'kira' }, at(i))
    }))
    const { items, total } = await opened.repo.sessions.list({ limit: 10, offset: 0 })
    t.equal(total, 1)
    t.equal(items[0]?.createdAt.getTime(), items[0]?.lastActivityAt.getTime(), 'later saves leave the times alone')
  })
})
