import t from 'tap'
import type { EmotionChange } from '../../src/relationships/emotions.ts'
import type { EmotionRepository } from '../../src/relationships/repository.ts'
import { createPostgresEmotionRepository } from '../../src/store/postgres/emotions.ts'
import { createSqliteEmotionRepository } from '../../src/store/sqlite/emotions.ts'
import { forBothStores } from '../helpers/both-stores.ts'

// The mood repositories behave the same on SQLite and PostgreSQL: a change is deltas (and values to set)
// applied to what is stored, atomically, so changes racing from two instances all count.

const HOUR = 3_600_000
const T0 = Date.UTC(2030, 0, 1, 0, 0, 0, 123)
const initial = { mood: 0, energyLevel: 0.5, stressLevel: 0.25, curiosity: 0.5, socialBattery: 0.75 }
const steady = { initial, regenerationPerHour: 0 }
const change = (patch: Partial<EmotionChange> = {}): EmotionChange => ({ at: T0, rules: steady, ...patch })
const close = (x: number, y: number) => Math.abs(x - y) < 1e-9

forBothStores<EmotionRepository>(t, { sqlite: createSqliteEmotionRepository, postgres: createPostgresEmotionRepository }, (t, store) => {
  t.test('none until changed; the first change starts from the initial values, at its time', async (t) => {
    const { repo, addPersona } = await store.open(t)
    await addPersona('aria')
    t.equal(await repo.find('aria'), null)
    const first = await repo.change('aria', change())
    t.same(first, { ...initial, updatedAt: T0 }, 'the initial values, updatedAt in epoch ms')
    t.same(await repo.find('aria'), first, 'stored as returned')
    t.equal(await repo.find('kira'), null)
  })

  t.test('values set, then deltas added, clamped to their ranges; regenerated from the stored time first', async (t) => {
    const { repo, addPersona } = await store.open(t)
    await addPersona('aria')
    await repo.change('aria', change({ set: { mood: -0.25, curiosity: 0.123456789 } }))
    t.same(await repo.find('aria'), { ...initial, mood: -0.25, curiosity: 0.123456789, updatedAt: T0 })
    const added = await repo.change('aria', change({ set: { stressLevel: 0.5 }, add: { mood: -2, energyLevel: 0.25, stressLevel: 0.125 } }))
    t.same(added, { ...initial, mood: -1, energyLevel: 0.75, stressLevel: 0.625, curiosity: 0.123456789, updatedAt: T0 }, 'mood stops at -1')
    // half the gap closed per hour: after two hours, three quarters of it
    const later = await repo.change('aria', change({ at: T0 + 2 * HOUR, rules: { initial, regenerationPerHour: 0.5 } }))
    t.ok(close(later.mood, -0.25) && close(later.stressLevel, 0.25 + 0.375 / 4), `regenerated (mood ${later.mood})`)
    t.equal(later.updatedAt, T0 + 2 * HOUR)
    t.same(await repo.find('aria'), later)
    const behind = await repo.change('aria', change({ at: T0, add: { curiosity: 0.5 } }))
    t.equal(behind.updatedAt, T0 + 2 * HOUR, 'a change with an earlier clock (another instance) does not move the time back')
  })

  t.test('a mood needs its persona', async (t) => {
    const { repo } = await store.open(t)
    await t.rejects(repo.change('nobody', change()))
    t.equal(await repo.find('nobody'), null)
  })

  t.test('50 deltas at once from two instances (two connections) all count, the first ones too', async (t) => {
    const { repo, addPersona, another } = await store.open(t)
    const other = await another()
    await addPersona('aria')
    // binary fractions: the sums are exact, so any lost update shows
    const turn = change({ add: { mood: 1 / 128, energyLevel: -1 / 256 } })
    await Promise.all(Array.from({ length: 50 }, async (_, i) => await (i % 2 === 0 ? repo : other).change('aria', turn)))
    const stored = await repo.find('aria')
    t.equal(stored?.mood, 50 / 128, `mood moved by every delta (${stored?.mood})`)
    t.equal(stored?.energyLevel, 0.5 - 50 / 256, `energy too (${stored?.energyLevel})`)
  })

  t.test('a change from the state an instance knows: applied to it while it is the stored one, else to what is stored', async (t) => {
    const { repo, addPersona, another } = await store.open(t)
    const other = await another()
    await addPersona('aria')
    const first = await repo.change('aria', change())
    const turn = change({ add: { mood: 1 / 128 } })
    const known = await repo.change('aria', turn, first)
    t.equal(known.mood, first.mood + 1 / 128, 'from the known state, which was the stored one')
    // the other instance moves it on: what this one knows is stale now
    await other.change('aria', change({ add: { mood: 1 / 64 } }), known)
    const after = await repo.change('aria', turn, known)
    t.equal(after.mood, first.mood + 2 / 128 + 1 / 64, 'the stale knowledge is not written over the other\'s change')
    t.same(await repo.find('aria'), after)
    // both instances keep changing it, each from what it last stored: every delta counts
    let mine = after
    let theirs = after
    await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      if (i % 2 === 0) mine = await repo.change('aria', turn, mine)
      else theirs = await other.change('aria', turn, theirs)
    }))
    t.equal((await repo.find('aria'))?.mood, after.mood + 40 / 128, 'racing changes from known states all count')
  })
})
