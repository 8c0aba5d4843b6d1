import t from 'tap'
import type { BundleRestore, PersonaBundleRepository } from '../../src/cards/bundle-repository.ts'
import { createPostgresBundleRepository } from '../../src/store/postgres/bundles.ts'
import { createSqliteBundleRepository } from '../../src/store/sqlite/bundles.ts'
import { forBothStores } from '../helpers/both-stores.ts'

// The persona bundle repository behaves the same on SQLite and PostgreSQL: what a restore writes, rows reads
// back (values, vectors, JSON, times to the millisecond, order), for that user and persona only; a second
// restore replaces the relationship and adds to the rest.

const at = (minute: number) => Date.UTC(2030, 0, 1, 0, minute, 0, 123)
const vector = (seed: number) => Float32Array.from({ length: 8 }, (_, i) => Math.sin(seed + i))

const rows = (tag: string): BundleRestore => ({
  memories: [1, 2].map((n) => ({
    id: `${tag}-m${n}`, content: `${tag} memory ${n}`, memoryType: 'fact', importance: 0.25 * n, baseImportance: 0.5, emotionalValence: -0.125,
    visibility: n === 1 ? 'private' : 'shared', relatedPersonas: ['wren'], metadata: { pinned: n === 1, conversation_id: `${tag}-c1` },
    accessCount: n, lastAccessedAt: n === 1 ? null : at(9), createdAt: at(n), embedding: vector(n), embeddingModel: 'hash-8',
  })),
  relationship: {
    affinity: 0.5, trust: 0.25, respect: -0.125, intimacy: 0, relationshipType: 'friend', interactionCount: 3, totalInteractionTime: 12.5,
    lastInteraction: at(8), firstMeeting: at(0), recentInteractionQuality: 0.375, sharedExperiences: [tag], memorableMoments: [],
    conflictHistory: [], compatibilityFactors: { humour: 0.5 },
    events: [{ id: `${tag}-e1`, quality: 0.5, durationMinutes: 4, context: 'casual', deltas: { affinity: 0.125 }, createdAt: at(7) }],
  },
  conversations: [{
    id: `${tag}-c1`, topic: null, tokenBudget: null, tokensUsed: 40, continueScore: 50, turnCount: 1, durationSeconds: 3.5, summary: '',
    summarizedTurn: 0, status: 'ended', endReason: 'imported', startedAt: at(3), lastActivityAt: at(4), endedAt: at(4),
    messages: [
      { id: `${tag}-u`, turnNumber: 1, role: 'user', speakerId: 'alice', content: 'Hello', tokens: 2, processingTime: 0, responseType: null, createdAt: at(3) },
      { id: `${tag}-p`, turnNumber: 1, role: 'persona', speakerId: 'wren', content: 'Hi', tokens: 1, processingTime: 0.5, responseType: 'chat', createdAt: at(4) },
    ],
  }],
})

/** what rows() gives back of a restore: the same, with the relationship's and events' ids its own */
const expected = (r: BundleRestore) => ({ ...r, relationship: r.relationship && { ...r.relationship, id: undefined } })

t.test('persona bundles', async (t) => {
  forBothStores<PersonaBundleRepository>(t, { sqlite: createSqliteBundleRepository, postgres: createPostgresBundleRepository }, (t, store) => {
    t.test('a restore reads back as written, for its user and persona only', async (t) => {
      const { repo, addPersona } = await store.open(t)
      for (const id of ['wren', 'kira']) await addPersona(id)
      t.same(await repo.rows('wren', 'alice'), { memories: [], relationship: null, conversations: [] })
      await repo.restore('wren', 'alice', rows('a'))
      await repo.restore('wren', 'bob', rows('b'))
      await repo.restore('kira', 'alice', rows('k'))
      const back = await repo.rows('wren', 'alice')
      const relationship = back.relationship!
      t.same({ ...back, relationship: { ...relationship, events: relationship.events.map((e) => ({ ...e, id: 'a-e1' })) } }, expected(rows('a')))
      t.ok(back.memories.every((m) => m.embedding instanceof Float32Array), 'vectors as Float32Array')
      t.notOk(JSON.stringify(back).includes('b memory') || JSON.stringify(back).includes('k memory'), 'nothing of bob, nothing of kira')

      // again: memories and conversations add up, the relationship is replaced (its events with it)
      const second = rows('a2')
      second.relationship!.affinity = -0.5
      await repo.restore('wren', 'alice', second)
      const twice = await repo.rows('wren', 'alice')
      t.equal(twice.memories.length, 4)
      t.equal(twice.conversations.length, 2)
      t.equal(twice.relationship?.affinity, -0.5)
      t.same(twice.relationship?.events.map((e) => e.context), ['casual'])
    })

    t.test('a restore that fails writes nothing', async (t) => {
      const { repo, addPersona } = await store.open(t)
      await addPersona('wren')
      const bad = rows('x')
      bad.conversations[0]!.messages[1]!.id = 'x-u'
      await t.rejects(repo.restore('wren', 'alice', bad), 'a duplicate message id fails the restore')
      t.same(await repo.rows('wren', 'alice'), { memories: [], relationship: null, conversations: [] }, 'memories and relationship rolled back')
    })
  })
})
