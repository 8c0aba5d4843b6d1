import path from 'node:path'
import t, { type Test } from 'tap'
import { openStore, type Store } from '../../src/store/index.ts'

// The SQLite session and conversation repositories on a real migrated file: what each port method
// stores, in which order it reads back, and what goes with a deletion.

async function store (t: Test): Promise<Store> {
  const s = await openStore({ url: `file:${path.join(t.testdir(), 'persona.db')}` })
  t.teardown(() => s.close())
  for (const name of ['Aria', 'Kira']) {
    await s.sqlite!.prisma.persona.create({ data: { id: name.toLowerCase(), name, nameKey: name.toLowerCase(), personalityTraits: {}, topicPreferences: {} } })
  }
  return s
}

const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute))

t.test('sessions: saved once, persona and activity updated, snapshot kept, idle ones found and removed with their transcripts', async (t) => {
  const { repositories: { sessions, conversations } } = await store(t)
  t.equal(await sessions.findById('s1'), undefined)
  await sessions.save({ id: 's1', userId: 'alice', personaId: null }, at(0))
  await sessions.save({ id: 's1', userId: 'alice', personaId: 'aria' }, at(5))
  t.same(await sessions.findById('s1'), { id: 's1', userId: 'alice', currentPersonaId: 'aria', createdAt: at(0), lastActivityAt: at(0) }, 'a second save changes the persona only')
  await sessions.setPersona('s1', 'kira', at(7))
  await sessions.touch('s1', at(9))
  t.match(await sessions.findById('s1'), { currentPersonaId: 'kira', lastActivityAt: at(9) })

  t.equal(await sessions.findSnapshot('s1'), undefined)
  const snapshot = { current_persona_id: 'kira', current_conversation_id: null, active_conversation_ids: ['c'], timestamp: at(9).toISOString() }
  await sessions.saveSnapshot('s1', snapshot)
  t.same(await sessions.findSnapshot('s1'), snapshot)

  await sessions.save({ id: 's2', userId: 'bob', personaId: null }, at(30))
  t.same(await sessions.idleSince(at(20)), ['s1'], 'idle: last activity before the cutoff')

  const thread = await conversations.openThread('s1', 'alice', 'aria', at(10))
  await conversations.appendTurn(thread.id, [
    { turnNumber: 1, role: 'user', speakerId: 'alice', content: 'hi', tokens: 0, processingTime: 0, responseType: null, createdAt: at(11) },
    { turnNumber: 1, role: 'persona', speakerId: 'aria', content: 'hello', tokens: 3, processingTime: 0.1, responseType: 'direct', createdAt: at(11) },
  ], { turnCount: 1, tokens: 3, at: at(11) })
  const listed = await sessions.list({ userId: 'alice', limit: 10, offset: 0 })
  t.match(listed, { total: 1, items: [{ id: 's1', hasSnapshot: true, conversationCount: 1 }] })
  t.same((await sessions.list({ currentPersonaId: 'aria', limit: 10, offset: 0 })).total, 0, 'filtered by current persona')
  t.match(await sessions.threadsOf('s1'), [{ id: thread.id, personaId: 'aria', turnCount: 1, lastActivityAt: at(11) }])

  t.same(await sessions.deleteWithTranscripts(['s1']), { conversations: 1, messages: 2 })
  t.equal(await sessions.findById('s1'), undefined)
  t.equal(await conversations.findConversation(thread.id), undefined, 'its threads went with it')
  t.same(await sessions.deleteWithTranscripts([]), { conversations: 0, messages: 0 })
})

t.test('threads: opened once per session and persona, turns in order, pages newest last, cleared', async (t) => {
  const { repositories: { sessions, conversations } } = await store(t)
  await sessions.save({ id: 's', userId: 'alice', personaId: 'aria' }, at(0))
  const thread = await conversations.openThread('s', 'alice', 'aria', at(1))
  t.match(thread, { kind: 'user', sessionId: 's', userId: 'alice', personaId: 'aria', turnCount: 0, summary: '', startedAt: at(1) })
  t.equal((await conversations.openThread('s', 'alice', 'aria', at(2))).id, thread.id, 'the same thread again')
  t.equal((await conversations.findThread('s', 'aria'))?.id, thread.id)
  t.equal(await conversations.findThread('s', 'kira'), undefined)

  for (let turn = 1; turn <= 5; turn++) {
    await conversations.appendTurn(thread.id, [
      { turnNumber: turn, role: 'user', speakerId: 'alice', content: `u${turn}`, tokens: 0, processingTime: 0, responseType: null, createdAt: at(turn) },
      { turnNumber: turn, role: 'persona', speakerId: 'aria', content: `p${turn}`, tokens: 2, processingTime: 0.5, responseType: 'direct', createdAt: at(turn) },
    ], { turnCount: turn, tokens: 2, at: at(turn) })
  }
  t.match(await conversations.findConversation(thread.id), { turnCount: 5, tokensUsed: 10, lastActivityAt: at(5) })
  const contents = (messages: Array<{ content: string }>) => messages.map((m) => m.content)
  t.same(contents(await conversations.latestMessages(thread.id, 3)), ['p4', 'u5', 'p5'], 'the newest, oldest first, the user before the persona')
  t.same(contents(await conversations.latestMessages(thread.id, 3, 3)), ['p1', 'u2', 'p2'], 'before turn 3')
  t.same(contents(await conversations.messagesBetween(thread.id, 1, 3)), ['u2', 'p2', 'u3', 'p3'])
  t.match((await conversations.latestMessages(thread.id, 1))[0], { turnNumber: 5, role: 'persona', speakerId: 'aria', tokens: 2, processingTime: 0.5, responseType: 'direct', createdAt: at(5) })

  await conversations.saveSummary(thread.id, 'they met', 3)
  t.match(await conversations.findThread('s', 'aria'), { summary: 'they met', summarizedTurn: 3 })
  await conversations.saveSummary('gone', 'nothing', 1)

  t.equal(await conversations.clearThread(thread.id), 10)
  t.match(await conversations.findConversation(thread.id), { turnCount: 0, tokensUsed: 0, summary: '', summarizedTurn: 0 })
  t.same(await conversations.latestMessages(thread.id, 10), [])
})

t.test('persona-to-persona conversations: created, turns counted, ended; active, recent ids and topics by user', async (t) => {
  const { repositories: { conversations } } = await store(t)
  const first = await conversations.createPersonaConversation({ persona1Id: 'aria', persona2Id: 'kira', userId: 'alice', topic: 'stars', tokenBudget: 500 }, at(1))
  t.match(first, { kind: 'persona', sessionId: null, userId: 'alice', personaId: 'aria', otherPersonaId: 'kira', topic: 'stars', tokenBudget: 500, status: 'active', continueScore: 50 })
  await conversations.appendPersonaTurn(first.id, { turnNumber: 1, role: 'persona', speakerId: 'aria', content: 'look up', tokens: 7, processingTime: 0.2, responseType: 'direct', createdAt: at(2) },
    { at: at(2), turnCount: 1, tokens: 7, seconds: 4, continueScore: 61 })
  t.match(await conversations.findConversation(first.id), { turnCount: 1, tokensUsed: 7, durationSeconds: 4, continueScore: 61, lastActivityAt: at(2) })
  const second = await conversations.createPersonaConversation({ persona1Id: 'kira', persona2Id: 'aria', userId: 'bob', topic: 'stars', tokenBudget: 500 }, at(3))
  const third = await conversations.createPersonaConversation({ persona1Id: 'kira', persona2Id: 'aria', userId: 'alice', topic: 'tea', tokenBudget: 500 }, at(4))

  await conversations.endPersonaConversation(first.id, 'budget', at(5))
  t.match(await conversations.findConversation(first.id), { status: 'ended', endReason: 'budget', endedAt: at(5) })
  t.same((await conversations.activePersonaConversationIds()).sort(), [second.id, third.id].sort())
  t.same(await conversations.activePersonaConversationIds('alice'), [third.id])
  t.same(await conversations.recentPersonaConversationIds('alice', 10), [third.id, first.id], 'newest first')
  t.same(await conversations.recentPersonaConversationIds(null, 2), [third.id, second.id])
  t.same(await conversations.recentPersonaTopics('aria', null, 10), ['tea', 'stars'], 'either participant, no repeats')
  t.same(await conversations.recentPersonaTopics('aria', 'bob', 10), ['stars'])
})

t.test('the operator\'s views: filtered lists, transcript pages, deletion with the messages', async (t) => {
  const { repositories: { sessions, conversations } } = await store(t)
  await sessions.save({ id: 's', userId: 'alice', personaId: null }, at(0))
  const thread = await conversations.openThread('s', 'alice', 'aria', at(1))
  await conversations.appendTurn(thread.id, [
    { turnNumber: 1, role: 'user', speakerId: 'alice', content: 'a', tokens: 0, processingTime: 0, responseType: null, createdAt: at(2) },
    { turnNumber: 1, role: 'persona', speakerId: 'aria', content: 'b', tokens: 1, processingTime: 0, responseType: 'direct', createdAt: at(2) },
  ], { turnCount: 1, tokens: 1, at: at(2) })
  const p2p = await conversations.createPersonaConversation({ persona1Id: 'kira', persona2Id: 'aria', userId: 'bob', topic: 'x', tokenBudget: 100 }, at(3))

  const ids = async (filter: Parameters<typeof conversations.listConversations>[0]) => {
    const { items, total } = await conversations.listConversations(filter)
    return { ids: items.map((c) => c.id), total }
  }
  t.same(await ids({ limit: 10, offset: 0 }), { ids: [p2p.id, thread.id], total: 2 }, 'most recently active first')
  t.same(await ids({ personaId: 'aria', limit: 10, offset: 0 }), { ids: [p2p.id, thread.id], total: 2 }, 'either participant')
  t.same(await ids({ personaId: 'kira', limit: 10, offset: 0 }), { ids: [p2p.id], total: 1 })
  t.same(await ids({ kind: 'user', limit: 10, offset: 0 }), { ids: [thread.id], total: 1 })
  t.same(await ids({ userId: 'bob', sessionId: 's', limit: 10, offset: 0 }), { ids: [], total: 0 })
  t.same(await ids({ limit: 1, offset: 1 }), { ids: [thread.id], total: 2 })

  const page = await conversations.messagePage(thread.id, { limit: 1, offset: 1 })
  t.same({ total: page.total, contents: page.items.map((m) => m.content) }, { total: 2, contents: ['b'] }, 'oldest first, the user before the persona')

  t.equal(await conversations.deleteConversation(thread.id), 2)
  t.equal(await conversations.findConversation(thread.id), undefined)
  t.equal((await conversations.messagePage(thread.id, { limit: 10, offset: 0 })).total, 0)
})
