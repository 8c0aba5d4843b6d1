import t from 'tap'
import { parseConfig } from '../../src/config/load.ts'
import type { PersonaService } from '../../src/personas/service.ts'
import type { RelationshipRepository } from '../../src/relationships/repository.ts'
import { createRelationshipService } from '../../src/relationships/service.ts'
import type { Dimensions } from '../../src/relationships/rules.ts'
import type { Relationship } from '../../src/relationships/types.ts'
import { createPostgresRelationshipRepository } from '../../src/store/postgres/relationships.ts'
import { createSqliteRelationshipRepository } from '../../src/store/sqlite/relationships.ts'
import { forBothStores } from '../helpers/both-stores.ts'
import { minutesWith, openWithPersonas } from '../helpers/store-fixtures.ts'

// The relationship repository behaves the same on SQLite and PostgreSQL (moods: contract-emotions.test.ts): values, Dates, nulls,
// order, pages, the event log; on PostgreSQL, two instances interacting with one pair at once lose nothing.

const at = minutesWith(123)
const all = (v: number): Dimensions => ({ affinity: v, trust: v, respect: v, intimacy: v })
const values = (patch: Partial<Relationship> = {}): Omit<Relationship, 'id'> => ({
  kind: 'persona', persona1Id: 'aria', persona2Id: 'kira', ...all(0.5), relationshipType: 'stranger', interactionCount: 1,
  totalInteractionTime: 5, lastInteraction: at(1), firstMeeting: at(0), recentInteractionQuality: 0.4, ...patch,
})
const event = (deltas: Dimensions = all(0)) => ({ quality: 0.4, minutes: 5, context: 'casual', deltas })
const ids = (rels: Relationship[]) => rels.map((r) => r.id)
const close = (x: number, y: number) => Math.abs(x - y) < 1e-9

t.test('relationships', async (t) => {
  forBothStores<RelationshipRepository>(t, { sqlite: createSqliteRelationshipRepository, postgres: createPostgresRelationshipRepository }, (t, store) => {
    t.test('saved with its event, found as stored, updated in place keeping the first meeting', async (t) => {
      const { repo, prisma } = await openWithPersonas(t, store, ['aria', 'kira'])
      t.equal(await repo.find('persona', 'aria', 'kira'), null)
      const first = await repo.save(values(), event(all(0.1)))
      t.type(first.id, 'string')
      t.same(first, { ...values(), id: first.id }, 'returns what is stored')
      const found = await repo.find('persona', 'aria', 'kira')
      t.same(found, first)
      t.ok(found?.lastInteraction instanceof Date && found.firstMeeting instanceof Date, 'Dates, to the millisecond')
      t.equal(await repo.find('persona', 'kira', 'aria'), null, 'the pair is found as given, not reordered')

      const second = values({ ...all(0.75), affinity: 0.125, relationshipType: 'friend', interactionCount: 2, totalInteractionTime: 12.5, lastInteraction: at(9), firstMeeting: at(5), recentInteractionQuality: -0.25 })
      const saved = await repo.save(second, { quality: -0.25, minutes: 7.5, context: 'conflict', deltas: { affinity: -0.375, trust: 0.25, respect: 0.25, intimacy: 0.25 } })
      t.same(await repo.find('persona', 'aria', 'kira'), { ...second, id: first.id, firstMeeting: at(0) }, 'same row; the first meeting is never moved')
      t.equal(saved.id, first.id)

      const events = await prisma.relationshipEvent.findMany({ orderBy: { createdAt: 'asc' } })
      t.same(events.map(({ relationshipId, quality, durationMinutes, context, deltas }) => ({ relationshipId, quality, durationMinutes, context, deltas })), [
        { relationshipId: first.id, quality: 0.4, durationMinutes: 5, context: 'casual', deltas: all(0.1) },
        { relationshipId: first.id, quality: -0.25, durationMinutes: 7.5, context: 'conflict', deltas: { affinity: -0.375, trust: 0.25, respect: 0.25, intimacy: 0.25 } },
      ], 'one event per save, deltas as JSON')
      t.ok(events.every((e) => Math.abs(e.createdAt.getTime() - Date.now()) < 60_000), 'events stamped now')
      const row = await prisma.relationship.findUniqueOrThrow({ where: { id: first.id } })
      t.same([row.sharedExperiences, row.memorableMoments, row.conflictHistory, row.compatibilityFactors], [[], [], [], {}])
    })

    t.test('never interacted: a null last interaction, kept null', async (t) => {
      const { repo, addPersona } = await store.open(t)
      await addPersona('aria')
      const rel = values({ kind: 'user', persona2Id: 'alice', lastInteraction: null, interactionCount: 0 })
      await repo.save(rel, event())
      t.same(await repo.find('user', 'aria', 'alice'), { ...rel, id: (await repo.find('user', 'aria', 'alice'))!.id })
    })

    t.test('lists and pages: most recent first, never-interacted last, ties by id; either side for persona pairs only', async (t) => {
      const { repo } = await openWithPersonas(t, store, ['a', 'b', 'c', 'd'])
      const ab = await repo.save(values({ persona1Id: 'a', persona2Id: 'b', lastInteraction: at(3) }), event())
      const bc = await repo.save(values({ persona1Id: 'b', persona2Id: 'c', lastInteraction: at(7) }), event())
      const ac = await repo.save(values({ persona1Id: 'a', persona2Id: 'c', lastInteraction: null, interactionCount: 0 }), event())
      const ad = await repo.save(values({ persona1Id: 'a', persona2Id: 'd', lastInteraction: null, interactionCount: 0 }), event())
      const cd = await repo.save(values({ persona1Id: 'c', persona2Id: 'd', lastInteraction: at(3) }), event())
      const bUser = await repo.save(values({ kind: 'user', persona1Id: 'b', persona2Id: 'a', lastInteraction: at(8) }), event())
      const [abCd, acAd] = [[ab, cd], [ac, ad]].map((pair) => ids(pair).sort())

      const persona = [bc.id, ...abCd!, ...acAd!]
      t.same(ids(await repo.listAll('persona')), persona)
      t.same(ids(await repo.listAll('user')), [bUser.id])
      t.same(ids(await repo.listForPersona('a', 'persona')), [ab.id, ...acAd!], 'persona1Id side')
      t.same(ids(await repo.listForPersona('c', 'persona')), [bc.id, cd.id, ac.id], 'either side')
      t.same(ids(await repo.listForPersona('a', 'user')), [], 'user relationships: the persona side only (persona2Id is a user id)')
      t.same(ids(await repo.listForPersona('b', 'user')), [bUser.id])

      const pages = []
      for (let offset = 0; offset < 6; offset += 2) pages.push(await repo.page({ kind: 'persona', limit: 2, offset }))
      t.same(pages.map((p) => p.total), [5, 5, 5])
      t.same(pages.flatMap((p) => ids(p.items)), persona, 'pages are stable and complete')
      t.same(await repo.page({ kind: 'persona', personaId: 'c', limit: 2, offset: 1 }), { items: [cd, ac].map((r) => ({ ...r })), total: 3 })
      t.same(await repo.page({ kind: 'user', personaId: 'a', limit: 10, offset: 0 }), { items: [], total: 0 })
      t.same(await repo.page({ kind: 'persona', limit: 10, offset: 50 }), { items: [], total: 5 })
    })

    t.test('a relationship needs its persona', async (t) => {
      const { repo } = await store.open(t)
      await t.rejects(repo.save(values({ persona1Id: 'nobody' }), event()))
    })

    if (store.name === 'postgres') {
      // SQLite is one instance per file: the service's lock orders its saves. On PostgreSQL other instances write too.
      t.test('saves computed from the same read by two instances both count', async (t) => {
        const { repo, addPersona, another } = await store.open(t)
        await addPersona('aria')
        const other = await another()
        const both = await Promise.all([repo, other].map(async (r) =>
          await r.save(values({ kind: 'user', persona2Id: 'alice', ...all(0.55), interactionCount: 1, totalInteractionTime: 5 }), event(all(0.05)))))
        t.same(both.map((r) => r.interactionCount).sort(), [1, 2], 'the second sees the first')
        const stored = (await repo.find('user', 'aria', 'alice'))!
        t.equal(stored.interactionCount, 2)
        t.equal(stored.totalInteractionTime, 10)
        t.ok(close(stored.affinity, 0.6) && close(stored.intimacy, 0.6), `both deltas applied (affinity ${stored.affinity})`)
        const capped = await repo.save(values({ kind: 'user', persona2Id: 'alice', ...all(0.95), interactionCount: 2 }), event(all(0.9)))
        t.same([capped.affinity, capped.interactionCount], [1, 3], 'clamped to 0..1 as the rules clamp')
      })

      t.test('two instances chatting with one pair at once: every interaction is counted and logged', async (t) => {
        const { repo, prisma, addPersona, another } = await store.open(t)
        await addPersona('aria')
        const rules = parseConfig({}).relationships
        const services = [repo, await another()].map((repository) => createRelationshipService({ repository, personas: {} as PersonaService, rules }))
        const turns = 20
        await Promise.all(services.map(async (service) => {
          for (let i = 0; i < turns; i++) await service.interact('user', 'aria', 'alice', { quality: 0.2, minutes: 3, context: 'chat' })
        }))
        const stored = (await repo.find('user', 'aria', 'alice'))!
        t.equal(stored.interactionCount, 2 * turns)
        t.equal(stored.totalInteractionTime, 2 * turns * 3)
        t.ok(close(stored.affinity, 0.5 + 2 * turns * 0.2 * rules.qualityStep * 0.1), `every step in affinity (${stored.affinity})`)
        t.equal(await prisma.relationshipEvent.count(), 2 * turns)
      })
    }
  })
})
