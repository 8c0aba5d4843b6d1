import t from 'tap'
import type { StoredMessage } from '../../src/conversation/repository.ts'
import { forBothStores } from '../helpers/both-stores.ts'
import { conversationPorts, minutesWith, openWithPersonas, userTurn as turnAt, type ConversationPorts } from '../helpers/store-fixtures.ts'

// The conversation repository's contract, the same assertions on SQLite and PostgreSQL: user threads and
// their turns, persona-to-persona conversations, the operator's views; and, on PostgreSQL, turns appended
// by two instances at once.

const at = minutesWith(456)
const userTurn = (n: number, time = at(n)) => turnAt(n, time)
const line = (n: number, speakerId: string): StoredMessage =>
  ({ turnNumber: n, role: 'persona', speakerId, content: `${speakerId}${n}`, tokens: 7, processingTime: 0.25, responseType: 'direct', createdAt: at(n) })
const contents = (messages: Array<{ content: string }>) => messages.map((m) => m.content)

forBothStores<ConversationPorts>(t, conversationPorts, (t, store) => {
  const open = async () => {
    const opened = await openWithPersonas(t, store, ['aria', 'kira'])
    await opened.repo.sessions.save({ id: 's', userId: 'alice', personaId: 'aria' }, at(0))
    return opened
  }

  t.test('threads: opened once per session and persona, every field as stored', async (t) => {
    const { repo: { conversations }, prisma } = await open()
    const thread = await conversations.openThread('s', 'alice', 'aria', at(1))
    t.equal((await prisma.conversation.findUniqueOrThrow({ where: { id: thread.id } })).startedAt.toISOString(), at(1).toISOString(), 'times written as Prisma writes them')
    t.same(thread, {
      id: thread.id, kind: 'user', sessionId: 's', userId: 'alice', personaId: 'aria', otherPersonaId: null, topic: null, tokenBudget: null,
      tokensUsed: 0, continueScore: 50, turnCount: 0, durationSeconds: 0, summary: '', summarizedTurn: 0, status: 'active', endReason: null,
      startedAt: at(1), lastActivityAt: at(1), endedAt: null,
    })
    t.equal((await conversations.openThread('s', 'alice', 'aria', at(2))).startedAt.getTime(), at(1).getTime(), 'the same thread again, untouched')
    t.same(await conversations.findThread('s', 'aria'), thread)
    t.same(await conversations.findConversation(thread.id), thread)
    t.equal(await conversations.findThread('s', 'kira'), undefined)
    t.equal(await conversations.findConversation('nothing'), undefined)
    await t.rejects(conversations.openThread('no-session', 'alice', 'aria', at(1)), 'a thread of an unknown session is refused')
  })

  t.test('two instances opening one thread at once get the same one', async (t) => {
    const opened = await open()
    const instances = [opened.repo.conversations, (await opened.another()).conversations]
    const threads = await Promise.all(Array.from({ length: 8 }, async (_, i) => await instances[i % 2]!.openThread('s', 'alice', 'kira', at(i))))
    t.equal(new Set(threads.map((c) => c.id)).size, 1)
  })

  t.test('turns: stored in order, pages newest last, counted, summarized, cleared', async (t) => {
    const { repo: { conversations } } = await open()
    const thread = await conversations.openThread('s', 'alice', 'aria', at(0))
    for (let n = 1; n <= 5; n++) await conversations.appendTurn(thread.id, userTurn(n), { turnCount: n, tokens: 2, at: at(n) })
    t.match(await conversations.findConversation(thread.id), { turnCount: 5, tokensUsed: 10, lastActivityAt: at(5) })
    t.equal(await conversations.countMessages(thread.id), 10)
    t.equal(await conversations.countMessages('nothing'), 0)
    t.same(contents(await conversations.latestMessages(thread.id, 3)), ['p4', 'u5', 'p5'], 'the newest, oldest first, the user before the persona')
    t.same(contents(await conversations.latestMessages(thread.id, 3, 3)), ['p1', 'u2', 'p2'], 'before turn 3')
    t.same(contents(await conversations.latestMessages(thread.id, 100)), contents([1, 2, 3, 4, 5].flatMap((n) => userTurn(n))))
    t.same(await conversations.latestMessages(thread.id, 2, 1), [])
    t.same(contents(await conversations.messagesBetween(thread.id, 1, 3)), ['u2', 'p2', 'u3', 'p3'])
    t.same(await conversations.messagesBetween(thread.id, 5, 9), [])
    t.same(await conversations.latestMessages(thread.id, 2), userTurn(5), 'every field, times as Dates to the millisecond, a null response type')

    await conversations.saveSummary(thread.id, 'they met', 3)
    t.match(await conversations.findThread('s', 'aria'), { summary: 'they met', summarizedTurn: 3 })
    await conversations.saveSummary('gone', 'nothing', 1)

    t.equal(await conversations.clearThread(thread.id), 10)
    t.match(await conversations.findConversation(thread.id), { turnCount: 0, tokensUsed: 0, summary: '', summarizedTurn: 0, lastActivityAt: at(5) })
    t.same(await conversations.latestMessages(thread.id, 10), [])
    t.equal(await conversations.clearThread('nothing'), 0)
    await conversations.appendTurn(thread.id, userTurn(1, at(9)), { turnCount: 1, tokens: 2, at: at(9) })
    t.same(contents(await conversations.latestMessages(thread.id, 10)), ['u1', 'p1'], 'numbered from one again after a clear')
  })

  t.test('an opening line (a card greeting): turn 0 before the first turn, the counters untouched', async (t) => {
    const { repo: { conversations } } = await open()
    const thread = await conversations.openThread('s', 'alice', 'aria', at(1))
    const greeting: StoredMessage = { turnNumber: 0, role: 'persona', speakerId: 'aria', content: 'Welcome.', tokens: 0, processingTime: 0, responseType: 'greeting', createdAt: at(1) }
    await conversations.appendOpening(thread.id, greeting)
    t.match(await conversations.findConversation(thread.id), { turnCount: 0, tokensUsed: 0 })
    await conversations.appendTurn(thread.id, userTurn(1), { turnCount: 1, tokens: 2, at: at(2) })
    t.same(await conversations.latestMessages(thread.id, 10), [greeting, ...userTurn(1)], 'the greeting first, the turn numbered 1')
    t.same(contents(await conversations.messagesBetween(thread.id, 0, 1)), ['u1', 'p1'], 'a summary starts after it')
    t.equal(await conversations.countMessages(thread.id), 3)
    await t.rejects(conversations.appendOpening('nothing', greeting), 'a conversation that is gone')
  })

  t.test('a turn of a conversation that is gone is refused, and stores nothing', async (t) => {
    const { repo: { conversations } } = await open()
    await t.rejects(conversations.appendTurn('nothing', userTurn(1), { turnCount: 1, tokens: 2, at: at(1) }))
    await t.rejects(conversations.appendPersonaTurn('nothing', line(1, 'aria'), { at: at(1), turnCount: 1, tokens: 7, seconds: 1, continueScore: 50 }))
    t.equal(await conversations.countMessages('nothing'), 0)
  })

  t.test('persona-to-persona: created, turns counted, ended; active, recent ids and topics by user', async (t) => {
    const { repo: { conversations } } = await open()
    const first = await conversations.createPersonaConversation({ persona1Id: 'aria', persona2Id: 'kira', userId: 'alice', topic: 'stars', tokenBudget: 500 }, at(1))
    t.same(first, {
      id: first.id, kind: 'persona', sessionId: null, userId: 'alice', personaId: 'aria', otherPersonaId: 'kira', topic: 'stars', tokenBudget: 500,
      tokensUsed: 0, continueScore: 50, turnCount: 0, durationSeconds: 0, summary: '', summarizedTurn: 0, status: 'active', endReason: null,
      startedAt: at(1), lastActivityAt: at(1), endedAt: null,
    })
    await conversations.appendPersonaTurn(first.id, line(1, 'aria'), { at: at(2), turnCount: 1, tokens: 7, seconds: 4.5, continueScore: 61.5 })
    await conversations.appendPersonaTurn(first.id, line(2, 'kira'), { at: at(3), turnCount: 2, tokens: 7, seconds: 1, continueScore: 40 })
    t.match(await conversations.findConversation(first.id), { turnCount: 2, tokensUsed: 14, durationSeconds: 5.5, continueScore: 40, lastActivityAt: at(3) })
    t.same(await conversations.latestMessages(first.id, 5), [line(1, 'aria'), line(2, 'kira')])
    await t.rejects(conversations.createPersonaConversation({ persona1Id: 'ghost', persona2Id: 'kira', userId: 'alice', topic: 'x', tokenBudget: 1 }, at(1)), 'an unknown first persona is refused')

    const second = await conversations.createPersonaConversation({ persona1Id: 'kira', persona2Id: 'aria', userId: 'bob', topic: 'stars', tokenBudget: 500 }, at(3))
    const third = await conversations.createPersonaConversation({ persona1Id: 'kira', persona2Id: 'aria', userId: 'alice', topic: 'tea', tokenBudget: 500 }, at(4))
    const fourth = await conversations.createPersonaConversation({ persona1Id: 'kira', persona2Id: 'kira', userId: 'alice', topic: '', tokenBudget: 500 }, at(5))

    await conversations.endPersonaConversation(first.id, 'budget', at(6))
    t.match(await conversations.findConversation(first.id), { status: 'ended', endReason: 'budget', endedAt: at(6) })
    t.same((await conversations.activePersonaConversationIds()).sort(), [second.id, third.id, fourth.id].sort())
    t.same((await conversations.activePersonaConversationIds('alice')).sort(), [third.id, fourth.id].sort())
    t.same(await conversations.activePersonaConversationIds('nobody'), [])
    t.same(await conversations.recentPersonaConversationIds('alice', 10), [fourth.id, third.id, first.id], 'newest first')
    t.same(await conversations.recentPersonaConversationIds(null, 2), [fourth.id, third.id])
    t.same(await conversations.recentPersonaTopics('aria', null, 10), ['tea', 'stars'], 'either participant, no repeats')
    t.same(await conversations.recentPersonaTopics('aria', 'bob', 10), ['stars'])
    t.same(await conversations.recentPersonaTopics('kira', 'alice', 1), ['tea'], 'empty topics left out')
  })

  t.test('the operator\'s views: filtered lists, ties by id in byte order, transcript pages, deletion with the messages', async (t) => {
    const { repo: { sessions, conversations } } = await open()
    const thread = await conversations.openThread('s', 'alice', 'aria', at(1))
    await conversations.appendTurn(thread.id, userTurn(1, at(2)), { turnCount: 1, tokens: 2, at: at(2) })
    const p2p = await conversations.createPersonaConversation({ persona1Id: 'kira', persona2Id: 'aria', userId: 'bob', topic: 'x', tokenBudget: 100 }, at(3))
    await sessions.save({ id: 's2', userId: 'carol', personaId: null }, at(0))
    const ties = await Promise.all(['aria', 'kira'].map(async (p) => await conversations.openThread('s2', 'carol', p, at(0))))

    const ids = async (filter: Parameters<typeof conversations.listConversations>[0]) => {
      const { items, total } = await conversations.listConversations(filter)
      return { ids: items.map((c) => c.id), total }
    }
    t.same(await ids({ limit: 10, offset: 0 }), { ids: [p2p.id, thread.id, ...ties.map((c) => c.id).sort()], total: 4 }, 'most recently active first, then by id')
    t.same((await conversations.listConversations({ limit: 1, offset: 0 })).items, [p2p])
    t.same(await ids({ personaId: 'aria', userId: 'alice', limit: 10, offset: 0 }), { ids: [thread.id], total: 1 })
    t.same(await ids({ personaId: 'aria', userId: 'bob', limit: 10, offset: 0 }), { ids: [p2p.id], total: 1 }, 'either participant')
    t.same(await ids({ kind: 'persona', limit: 10, offset: 0 }), { ids: [p2p.id], total: 1 })
    t.same(await ids({ kind: 'user', sessionId: 's2', limit: 10, offset: 0 }), { ids: ties.map((c) => c.id).sort(), total: 2 })
    t.same(await ids({ userId: 'bob', sessionId: 's', limit: 10, offset: 0 }), { ids: [], total: 0 })
    t.same(await ids({ limit: 2, offset: 1 }), { ids: [thread.id, ties.map((c) => c.id).sort()[0]], total: 4 })

    const page = await conversations.messagePage(thread.id, { limit: 1, offset: 1 })
    t.same(page, { total: 2, items: [userTurn(1, at(2))[1]] }, 'oldest first, the user before the persona')
    t.same(await conversations.messagePage('nothing', { limit: 10, offset: 0 }), { items: [], total: 0 })

    t.equal(await conversations.deleteConversation(thread.id), 2)
    t.equal(await conversations.findConversation(thread.id), undefined)
    t.equal((await conversations.messagePage(thread.id, { limit: 10, offset: 0 })).total, 0)
    t.equal(await conversations.deleteConversation('nothing'), 0)
    t.ok(await sessions.findById('s'), 'the session stays')
  })

  // one server per SQLite file: the stored turn number is the caller's there, and only one caller writes
  const oneServer = store.name === 'sqlite' ? 'SQLite serves one instance per file' : false
  t.test('turns appended by two instances at once get distinct numbers, the counters every one', { skip: oneServer }, async (t) => {
    const opened = await open()
    const instances = [opened.repo.conversations, (await opened.another()).conversations]
    const thread = await opened.repo.conversations.openThread('s', 'alice', 'aria', at(0))
    const p2p = await opened.repo.conversations.createPersonaConversation({ persona1Id: 'aria', persona2Id: 'kira', userId: 'alice', topic: 'x', tokenBudget: 100 }, at(0))
    // every caller read turnCount 0 from its own cache, so each asks for turn 1
    await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      const instance = instances[i % 2]!
      await instance.appendTurn(thread.id, userTurn(1), { turnCount: 1, tokens: 2, at: at(1) })
      await instance.appendPersonaTurn(p2p.id, line(1, 'aria'), { at: at(1), turnCount: 1, tokens: 7, seconds: 1, continueScore: 50 })
    }))
    const stored = await opened.repo.conversations.latestMessages(thread.id, 100)
    t.same(stored.map((m) => m.turnNumber), Array.from({ length: 12 }, (_, i) => [i + 1, i + 1]).flat(), 'turns 1..12, both messages of a turn sharing its number')
    t.match(await opened.repo.conversations.findConversation(thread.id), { turnCount: 12, tokensUsed: 24 })
    t.same((await opened.repo.conversations.latestMessages(p2p.id, 100)).map((m) => m.turnNumber), Array.from({ length: 12 }, (_, i) => i + 1))
    t.match(await opened.repo.conversations.findConversation(p2p.id), { turnCount: 12, tokensUsed: 84, durationSeconds: 12 })
  })
})
