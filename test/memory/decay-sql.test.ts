import path from 'node:path'
import t from 'tap'
import { openDatabase } from '../../src/store/sqlite/database.ts'
import { DAY_MS, DECAY_MODES, decayedImportance, type DecayInput, type DecayParams } from '../../src/memory/rules/decay.ts'
import { decayStatement, registerMathFunctions, runDecay } from '../../src/store/sqlite/memories-decay.ts'

const NOW = Date.UTC(2026, 10, 27, 8, 51, 21, 112)
const PARAMS: Omit<DecayParams, 'mode'> = { rate: 0.07, floor: 0.1, stepDays: 7, maxDecayDays: 90, protectImportance: 0.9 }
// Prisma's DateTime text form
const iso = (ms: number): string => new Date(ms).toISOString().replace('Z', '+00:00')

interface Row extends DecayInput { id: string, personaId: string, importance: number, prunedAt: number | null, createdAt: number, lastAccessedAt: number | null, metadata: string }

/** A varied population: ages from minutes to a year, accessed or not, pinned, protected, pruned, below the floor. */
function population (): Row[] {
  const rows: Row[] = []
  for (let i = 0; i < 240; i++) {
    const created = NOW - ((i * 7919) % 400) * DAY_MS * 0.37 - i * 61_123
    const accessed = i % 3 === 0 ? created + ((NOW - created) * ((i % 7) / 7)) : null
    rows.push({
      id: `m${i}`,
      personaId: i % 4 === 0 ? 'pb' : 'pa',
      baseImportance: i % 17 === 0 ? 0.95 : i % 23 === 0 ? 0.05 : 0.51 + ((i * 37) % 29) / 100,
      importance: 0,
      accessCount: i % 9,
      createdAt: created,
      lastAccessedAt: accessed === null ? null : Math.round(accessed),
      metadata: i % 13 === 0 ? '{"pinned":true}' : i % 11 === 0 ? '{"pinned":false,"source":"chat"}' : '{}',
      prunedAt: i % 10 === 5 ? NOW - DAY_MS : null
    })
  }
  for (const r of rows) r.importance = r.baseImportance
  return rows
}

// the parts of tap's Test that setup needs
interface TestLike { testdir (): string, teardown (fn: () => unknown): void }

async function setup (t: TestLike) {
  const store = await openDatabase({ file: path.join(t.testdir(), 'decay.db') })
  t.teardown(() => store.close())
  const db = store.sqlite
  const persona = db.prepare(`INSERT INTO "Persona" (id, name, nameKey, personalityTraits, topicPreferences, updatedAt) VALUES (?, ?, ?, '{}', '{}', ?)`)
  for (const id of ['pa', 'pb']) persona.run(id, id, id, iso(NOW))
  const rows = population()
  const insert = db.prepare(`INSERT INTO "Memory" (id, personaId, content, importance, baseImportance, relatedPersonas, metadata, accessCount, lastAccessedAt, createdAt, prunedAt)
    VALUES (@id, @personaId, 'x', @importance, @baseImportance, '[]', @metadata, @accessCount, @lastAccessedAt, @createdAt, @prunedAt)`)
  db.transaction(() => {
    for (const [i, r] of rows.entries()) {
      // a few rows hold integer epoch ms (the adapter's unixepoch-ms format) instead of ISO text
      const date = (ms: number | null) => ms === null ? null : i % 19 === 0 ? ms : iso(ms)
      insert.run({ ...r, createdAt: date(r.createdAt), lastAccessedAt: date(r.lastAccessedAt), prunedAt: date(r.prunedAt) })
    }
  })()
  const read = () => new Map((db.prepare('SELECT id, importance FROM "Memory"').all() as Array<{ id: string, importance: number }>).map((r) => [r.id, r.importance]))
  const reset = () => db.prepare('UPDATE "Memory" SET importance = baseImportance').run()
  return { db, rows, read, reset }
}

t.test('the bundled SQLite has the math functions (nothing to register)', async (t) => {
  const { db } = await setup(t)
  t.same(registerMathFunctions(db), [])
  t.throws(() => decayStatement('bogus' as never))
})

t.test('without math functions, deterministic JS ones are registered', async (t) => {
  const registered = new Map<string, { deterministic?: boolean, fn: (...a: number[]) => number }>()
  const fake = {
    prepare: () => { throw new Error('no such function') },
    function: (name: string, options: { deterministic?: boolean }, fn: (...a: number[]) => number) => { registered.set(name, { ...options, fn }) }
  }
  t.same(registerMathFunctions(fake as never), ['exp', 'ln', 'power', 'floor'])
  t.ok([...registered.values()].every((f) => f.deterministic === true))
  t.same(['exp', 'ln', 'power', 'floor'].map((n) => registered.get(n)?.fn(...(n === 'power' ? [2, 3] : [n === 'floor' ? 1.5 : 1]))), [Math.E, 0, 8, 1])
})

t.test('every mode matches decayedImportance row by row', async (t) => {
  const { db, rows, read, reset } = await setup(t)
  const isProtected = (r: Row) => r.baseImportance >= PARAMS.protectImportance || r.metadata.includes('"pinned":true')
  const live = rows.filter((r) => r.prunedAt === null)
  // each mode starts from undecayed rows except the last pass, which runs on top of another mode's
  // result: decay is recomputed from base and age, so the starting importance must not matter
  for (const [i, mode] of [...DECAY_MODES, 'linear' as const].entries()) {
    if (i < DECAY_MODES.length) reset()
    const before = read()
    const result = runDecay(db, { mode, now: NOW, ...PARAMS })
    const after = read()
    let changed = 0
    let drop = 0
    for (const r of rows) {
      const got = after.get(r.id) ?? NaN
      if (r.prunedAt !== null || isProtected(r)) { t.equal(got, r.baseImportance, `${mode}: ${r.id} untouched`); continue }
      const want = decayedImportance(r, { mode, ...PARAMS }, NOW)
      if (Math.abs(got - want) > 1e-9) t.fail(`${mode}: ${r.id} ${got} != ${want}`)
      if (got !== before.get(r.id)) { changed++; drop += (before.get(r.id) ?? 0) - got }
    }
    t.equal(result.processed, live.length, `${mode}: processed = live memories`)
    t.equal(result.decayed, changed, `${mode}: decayed = rows that changed`)
    t.ok(Math.abs(result.averageDecay - (changed === 0 ? 0 : drop / changed)) < 1e-9, `${mode}: average decay`)
    t.ok(changed > live.length / 2, `${mode}: most live memories decayed (${changed})`)
    t.equal(runDecay(db, { mode, now: NOW, ...PARAMS }).decayed, 0, `${mode}: a second run changes nothing`)
    t.same(read(), after)
  }
})

t.test('personaId scopes the run', async (t) => {
  const { db, rows, read, reset } = await setup(t)
  reset()
  const result = runDecay(db, { mode: 'linear', personaId: 'pb', now: NOW, ...PARAMS })
  const after = read()
  t.equal(result.processed, rows.filter((r) => r.personaId === 'pb' && r.prunedAt === null).length)
  t.ok(result.decayed > 0 && result.averageDecay > 0)
  for (const r of rows.filter((r) => r.personaId === 'pa')) if (after.get(r.id) !== r.baseImportance) t.fail(`${r.id} of the other persona changed`)
  t.equal(runDecay(db, { mode: 'linear', personaId: 'nobody', now: NOW, ...PARAMS }).processed, 0)
  t.same(runDecay(db, { mode: 'linear', personaId: null, now: NOW, ...PARAMS }).processed, rows.filter((r) => r.prunedAt === null).length)
  t.throws(() => runDecay(db, { mode: 'bogus', now: NOW, ...PARAMS }))
})
