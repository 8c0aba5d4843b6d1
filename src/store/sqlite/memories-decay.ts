// Set-based decay over the Memory table: one UPDATE per mode computes in SQLite exactly what
// decayedImportance (src/memory/rules/decay.ts) computes in JS, so a 100k-memory run never leaves the database engine.
import type Database from 'better-sqlite3'
import type { DecayPass, DecayPassResult } from '../../memory/repository.ts'
import { isDecayMode, type DecayMode } from '../../memory/rules/decay.ts'

/** personaId null or absent: every persona */
export type DecayRunOptions = Omit<DecayPass, 'personaId'> & { personaId?: string | null }

// Prisma stores DateTime as ISO text (`2026-11-27T08:51:21.112+00:00`); a DB written with the adapter's
// unixepoch-ms format holds integers. julianday() keeps whole milliseconds internally, so rounding
// (jd - unix epoch) * 86400000 recovers the exact epoch ms that Date.parse gives in JS.
const epochMs = (col: string): string =>
  `(CASE WHEN typeof(${col}) = 'text' THEN round((julianday(${col}) - 2440587.5) * 86400000.0) ELSE ${col} END)`

const ageDays = (col: string): string => `min(max(:now - ${epochMs(col)}, 0) / 86400000.0, :maxDecayDays)`

// Same operation order as decayCurve() so both sides produce the same doubles.
function curveSql (mode: DecayMode): string {
  const b = '"baseImportance"'
  const t = ageDays('"createdAt"')
  switch (mode) {
    case 'linear': return `${b} - :rate * ${t}`
    case 'exponential': return `${b} * exp(-:rate * ${t})`
    case 'logarithmic': return `${b} * (1 - :rate * ln(1 + ${t}))`
    case 'step': return `${b} * power(max(1 - :rate, 0), floor(${t} / :stepDays))`
    case 'access_based': return `${b} * exp(-(:rate / (1 + "accessCount")) * ${ageDays('coalesce("lastAccessedAt", "createdAt")')})`
  }
}

const SCOPE = '"prunedAt" IS NULL AND (:personaId IS NULL OR "personaId" = :personaId)'

/**
 * One UPDATE for a mode. Named parameters: personaId (null = all), now (epoch ms), rate, floor,
 * stepDays, maxDecayDays, protectImportance (unused ones may be passed too). Live memories only,
 * protected ones (base >= protectImportance, metadata.pinned === true) skipped, and only rows whose
 * importance changes are written, so `changes` is the number of memories decayed.
 */
export function decayStatement (mode: DecayMode): string {
  if (!isDecayMode(mode)) throw new Error(`unknown decay mode "${String(mode)}"`)
  const v = curveSql(mode)
  const clamped = `(CASE WHEN "baseImportance" < :floor THEN "baseImportance" ELSE min("baseImportance", max(:floor, ${v})) END)`
  // The expression is written twice (SET and WHERE) rather than joined from a subquery: re-evaluating
  // a few math calls is cheaper than a join back to the table. json_valid guards against a bad row
  // aborting the whole run.
  return `UPDATE "Memory" SET "importance" = ${clamped}
WHERE ${SCOPE}
  AND "baseImportance" < :protectImportance
  AND (CASE WHEN json_valid("metadata") THEN json_type("metadata", '$.pinned') END) IS NOT 'true'
  AND "importance" IS NOT ${clamped}`
}

const SUM_SQL = `SELECT count(*) AS n, total("importance") AS s FROM "Memory" WHERE ${SCOPE}`

/** Registers exp/ln/power/floor as deterministic JS functions when this SQLite build lacks them; returns the names added. */
export function registerMathFunctions (db: Database.Database): string[] {
  const fns: Record<string, (...a: number[]) => number> = {
    exp: (x) => Math.exp(x), ln: (x) => Math.log(x), power: (x, y) => Math.pow(x, y), floor: (x) => Math.floor(x)
  }
  const added: string[] = []
  for (const [name, fn] of Object.entries(fns)) {
    try {
      db.prepare(`SELECT ${name}(${fn.length === 2 ? '1, 1' : '1'})`).get()
    } catch {
      db.function(name, { deterministic: true }, fn as (...a: unknown[]) => number)
      added.push(name)
    }
  }
  return added
}

interface Prepared { sum: Database.Statement, update: Map<DecayMode, Database.Statement> }
const prepared = new WeakMap<Database.Database, Prepared>()

function statements (db: Database.Database, mode: DecayMode): { sum: Database.Statement, update: Database.Statement } {
  let p = prepared.get(db)
  if (p === undefined) {
    registerMathFunctions(db)
    p = { sum: db.prepare(SUM_SQL), update: new Map() }
    prepared.set(db, p)
  }
  let update = p.update.get(mode)
  if (update === undefined) { update = db.prepare(decayStatement(mode)); p.update.set(mode, update) }
  return { sum: p.sum, update }
}

/**
 * Runs one decay pass in a transaction. The average drop comes from the live importance total before
 * and after (unchanged rows cancel out), read through the (personaId, prunedAt, importance) index.
 */
export function runDecay (db: Database.Database, options: DecayRunOptions): DecayPassResult {
  const { mode } = options
  if (!isDecayMode(mode)) throw new Error(`unknown decay mode "${mode}"`)
  const { sum, update } = statements(db, mode)
  const params = {
    personaId: options.personaId ?? null,
    now: options.now,
    rate: options.rate,
    floor: options.floor,
    stepDays: options.stepDays,
    maxDecayDays: options.maxDecayDays,
    protectImportance: options.protectImportance
  }
  return db.transaction(() => {
    const before = sum.get(params) as { n: number, s: number }
    const decayed = update.run(params).changes
    const after = sum.get(params) as { n: number, s: number }
    return { processed: before.n, decayed, averageDecay: decayed === 0 ? 0 : (before.s - after.s) / decayed }
  })()
}
