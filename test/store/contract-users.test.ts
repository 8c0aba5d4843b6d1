import t from 'tap'
import type { PrismaClient } from '../../src/generated/prisma/client.ts'
import { createSqliteUserDataRepository } from '../../src/store/sqlite/users.ts'
import { createPostgresUserDataRepository } from '../../src/store/postgres/users.ts'
import { toSqlTime } from '../../src/store/sqlite/sql-time.ts'
import type { UserDataRepository } from '../../src/users/repository.ts'
import type { DataCounts } from '../../src/users/schemas.ts'
import { forBothStores } from '../helpers/both-stores.ts'
import { minutesWith } from '../helpers/store-fixtures.ts'

// The user data repository's contract, the same assertions on SQLite and PostgreSQL: which rows are a
// user's, the export's columns, order, JSON and time text, and an erase that counts what it took, disowns
// the user's personas, leaves everyone else's rows, and happens once when two instances erase at once.
process.env.TZ = 'America/Sao_Paulo'

const at = minutesWith(123)
const NONE: DataCounts = {
  sessions: 0, conversations: 0, messages: 0, memories: 0, relationships: 0, relationship_events: 0, api_keys: 0, summaries: 0,
  vector_entries: 0, personas_disowned: 0, mcp_sessions: 0,
}
const ALICE: DataCounts = {
  sessions: 1, conversations: 2, messages: 3, memories: 2, relationships: 1, relationship_events: 1, api_keys: 1, summaries: 1,
  vector_entries: 1, personas_disowned: 1, mcp_sessions: 2,
}

/** alice's rows and bob's in every table; bob's conversation has one message alice spoke */
async function seed (prisma: PrismaClient, addPersona: (id: string) => Promise<void>) {
  for (const id of ['aria', 'kira']) await addPersona(id)
  await prisma.persona.update({ where: { id: 'aria' }, data: { ownerId: 'alice', createdAt: at(0) } })
  const snapshot = { current_persona_id: 'aria', current_conversation_id: 'c-alice', timestamp: at(1).toISOString() }
  await prisma.session.create({ data: { id: 's-alice', userId: 'alice', currentPersonaId: 'aria', snapshot, createdAt: at(1), lastActivityAt: at(2) } })
  await prisma.session.create({ data: { id: 's-bob', userId: 'bob', createdAt: at(1), lastActivityAt: at(2) } })
  await prisma.conversation.create({ data: { id: 'c-alice', sessionId: 's-alice', userId: 'alice', personaId: 'aria', summary: 'they met', startedAt: at(2), lastActivityAt: at(3) } })
  await prisma.conversation.create({ data: { id: 'c-alice2', userId: 'alice', personaId: 'kira', startedAt: at(4), lastActivityAt: at(4) } })
  await prisma.conversation.create({ data: { id: 'c-bob', userId: 'bob', personaId: 'kira', startedAt: at(2), lastActivityAt: at(2) } })
  const message = (id: string, conversationId: string, turnNumber: number, speakerId: string, minute: number) =>
    ({ id, conversationId, turnNumber, role: 'user', speakerId, content: id, createdAt: at(minute) })
  await prisma.message.createMany({
    data: [message('m2', 'c-alice', 2, 'aria', 5), message('m1', 'c-alice', 1, 'alice', 5), message('m-bob', 'c-bob', 1, 'bob', 5), message('m-said', 'c-bob', 2, 'alice', 6)],
  })
  const memory = (id: string, userId: string, minute: number, embedding?: Uint8Array<ArrayBuffer>) => ({
    id, personaId: 'aria', userId, content: id, importance: 0.5, baseImportance: 0.75, relatedPersonas: ['kira'], metadata: { topic: 'tea', n: [1, 2] },
    createdAt: at(minute), ...(embedding ? { embedding, embeddingModel: 'e5', indexedAt: at(minute) } : {}),
  })
  await prisma.memory.createMany({ data: [memory('mem-2', 'alice', 8), memory('mem-1', 'alice', 7, new Uint8Array(8)), memory('mem-bob', 'bob', 7)] })
  const relationship = (id: string, kind: string, persona1Id: string, persona2Id: string) => ({
    id, kind, persona1Id, persona2Id, affinity: 0.25, firstMeeting: at(9), sharedExperiences: [], memorableMoments: [], conflictHistory: [], compatibilityFactors: {},
  })
  await prisma.relationship.createMany({ data: [relationship('r-alice', 'user', 'aria', 'alice'), relationship('r-bob', 'user', 'aria', 'bob'), relationship('r-pp', 'persona', 'aria', 'kira')] })
  await prisma.relationshipEvent.createMany({
    data: ['r-alice', 'r-bob', 'r-pp'].map((relationshipId) => ({ id: `e-${relationshipId}`, relationshipId, quality: 0.8, durationMinutes: 2.5, context: 'chat', deltas: { affinity: 0.25 }, createdAt: at(10) })),
  })
  // MCP HTTP session records: alice's two (one serving her persona session), bob's one
  await prisma.mcpSession.createMany({
    data: [['mcp-a1', 'alice', 's-alice'], ['mcp-a2', 'alice', null], ['mcp-b', 'bob', 's-bob']].map(([id, userId, personaSessionId]) => ({
      id: id!, userId: userId!, personaSessionId, protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' }, createdAt: at(12), lastSeenAt: at(12),
    })),
  })
  await prisma.apiKey.createMany({ data: ['alice', 'bob'].map((userId) => ({ id: `k-${userId}`, userId, keyHash: `h-${userId}`, keyPrefix: 'pk_', scope: 'client', createdAt: at(11) })) })
}

forBothStores<UserDataRepository>(t, {
  sqlite: createSqliteUserDataRepository,
  postgres: createPostgresUserDataRepository,
}, (t, store) => {
  t.test('counts: the user\'s rows in every table, nothing for a stranger', async (t) => {
    const { repo, prisma, addPersona } = await store.open(t)
    t.same(await repo.counts('alice'), NONE)
    await seed(prisma, addPersona)
    t.same(await repo.counts('alice'), ALICE)
    t.same(await repo.counts('nobody'), NONE)
  })

  t.test('records: the export\'s columns, in order, JSON parsed, times as text', async (t) => {
    const { repo, prisma, addPersona } = await store.open(t)
    await seed(prisma, addPersona)
    const records = await repo.records('alice')
    const time = (minute: number) => toSqlTime(at(minute).getTime())
    t.same(records.sessions, [{
      id: 's-alice', userId: 'alice', currentPersonaId: 'aria',
      snapshot: { current_persona_id: 'aria', current_conversation_id: 'c-alice', timestamp: at(1).toISOString() }, createdAt: time(1), lastActivityAt: time(2),
    }])
    t.same(records.conversations.map((c) => [c.id, c.summary, c.tokenBudget, c.continueScore, c.startedAt, c.endedAt]),
      [['c-alice', 'they met', null, 50, time(2), null], ['c-alice2', '', null, 50, time(4), null]])
    t.same(records.messages.map((m) => m.id), ['m1', 'm2', 'm-said'], 'by time, then turn; the message alice spoke elsewhere too')
    t.same(records.messages[0], {
      id: 'm1', conversationId: 'c-alice', turnNumber: 1, role: 'user', speakerId: 'alice', content: 'm1', tokens: 0, processingTime: 0, responseType: null, createdAt: time(5),
    })
    t.same(records.memories, [
      { id: 'mem-1', personaId: 'aria', userId: 'alice', content: 'mem-1', memoryType: 'user_input', importance: 0.5, baseImportance: 0.75, emotionalValence: 0,
        visibility: 'private', relatedPersonas: ['kira'], metadata: { topic: 'tea', n: [1, 2] }, accessCount: 0, lastAccessedAt: null, createdAt: time(7),
        embeddingModel: 'e5', indexedAt: time(7), prunedAt: null, pruneRunId: null },
      { id: 'mem-2', personaId: 'aria', userId: 'alice', content: 'mem-2', memoryType: 'user_input', importance: 0.5, baseImportance: 0.75, emotionalValence: 0,
        visibility: 'private', relatedPersonas: ['kira'], metadata: { topic: 'tea', n: [1, 2] }, accessCount: 0, lastAccessedAt: null, createdAt: time(8),
        embeddingModel: null, indexedAt: null, prunedAt: null, pruneRunId: null },
    ], 'no embedding bytes')
    t.same(records.relationships, [{
      id: 'r-alice', kind: 'user', persona1Id: 'aria', persona2Id: 'alice', affinity: 0.25, trust: 0, respect: 0, intimacy: 0, relationshipType: 'stranger',
      interactionCount: 0, totalInteractionTime: 0, lastInteraction: null, firstMeeting: time(9), recentInteractionQuality: 0,
    }])
    t.same(records.relationship_events, [{ id: 'e-r-alice', relationshipId: 'r-alice', quality: 0.8, durationMinutes: 2.5, context: 'chat', deltas: { affinity: 0.25 }, createdAt: time(10) }])
    t.same(records.api_keys, [{ id: 'k-alice', userId: 'alice', label: '', keyPrefix: 'pk_', scope: 'client', createdAt: time(11), lastUsedAt: null, revokedAt: null }], 'no hash')
    t.same(records.personas_owned, [{ id: 'aria', name: 'aria', createdAt: time(0) }])
    t.same(await repo.records('nobody'), {
      sessions: [], conversations: [], messages: [], memories: [], relationships: [], relationship_events: [], api_keys: [], personas_owned: [],
    })
  })

  t.test('erase: counts what went, the erased memories and disowned personas; everyone else\'s rows stay', async (t) => {
    const { repo, prisma, addPersona } = await store.open(t)
    await seed(prisma, addPersona)
    const bob = await repo.counts('bob')
    const erased = await repo.erase('alice')
    t.same(erased.counts, ALICE)
    t.same([...erased.memoryIds].sort(), ['mem-1', 'mem-2'])
    t.same(erased.disownedPersonaIds, ['aria'])
    t.same(await repo.counts('alice'), NONE)
    t.same(await repo.counts('bob'), { ...bob, messages: bob.messages - 1 }, 'bob\'s rows stay but for the message alice spoke')
    t.same((await prisma.message.findMany({ orderBy: { id: 'asc' } })).map((m) => m.id), ['m-bob'])
    t.same((await prisma.relationship.findMany({ orderBy: { id: 'asc' } })).map((r) => r.id), ['r-bob', 'r-pp'])
    t.same((await prisma.relationshipEvent.findMany({ orderBy: { id: 'asc' } })).map((e) => e.id), ['e-r-bob', 'e-r-pp'])
    t.same((await prisma.persona.findMany({ orderBy: { id: 'asc' } })).map((p) => [p.id, p.ownerId]), [['aria', null], ['kira', null]], 'the persona stays, without an owner')
    t.same((await prisma.mcpSession.findMany()).map((m) => m.id), ['mcp-b'], 'her MCP session records go, bob\'s stays')
    t.same((await repo.erase('alice')).counts, NONE, 'a second erase finds nothing')
  })

  t.test('two instances erasing the same user at once: the rows go once, counted once', async (t) => {
    const { repo, prisma, addPersona, another } = await store.open(t)
    await seed(prisma, addPersona)
    const other = await another()
    const both = await Promise.all([repo.erase('alice'), other.erase('alice')])
    const total = Object.fromEntries(Object.keys(NONE).map((kind) => [kind, both.reduce((n, e) => n + e.counts[kind as keyof DataCounts], 0)]))
    t.same(total, ALICE)
    t.same(both.flatMap((e) => e.memoryIds).sort(), ['mem-1', 'mem-2'])
    t.same(await repo.counts('alice'), NONE)
  })
})
