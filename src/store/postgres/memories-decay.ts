// Set-based decay over the Memory table on PostgreSQL: ONE statement per pass computes in SQL exactly what
// decayedImportance (src/memory/rules/decay.ts) computes in JS (same operation order as decayCurve),
// writes the rows whose importance changes, and returns the pass's figures. Mirrors src/store/sqlite/memories-decay.ts.
import type pg from 'pg'
import type { DecayPass, DecayPassResult } from '../../memory/repository.ts'
import { isDecayMode, type DecayMode } from '../../memory/rules/decay.ts'
import { UNPINNED } from './memories.ts'

const epochMs = (col: string): string => `(extract(epoch FROM ${col}) * 1000)::float8`
const ageDays = (col: string): string => `least(greatest(p.now - ${epochMs(col)}, 0) / 86400000::float8, p.max_days)`

// PostgreSQL raises "value out of range: underflow" where JS gives 0 (or a subnormal): below e^-708 the factor is 0
const safeExp = (x: string): string => `(CASE WHEN ${x} < -708 THEN 0::float8 ELSE exp(${x}) END)`
const safePower = (base: string, n: string): string => `(CASE WHEN ${base} > 0 AND ${n} * ln(${base}) < -708 THEN 0::float8 ELSE power(${base}, ${n}) END)`

function curveSql (mode: DecayMode): string {
  const b = '"baseImportance"'
  const t = ageDays('"createdAt"')
  switch (mode) {
    case 'linear': return `${b} - p.rate * ${t}`
    case 'exponential': return `${b} * ${safeExp(`-p.rate * ${t}`)}`
    case 'logarithmic': return `${b} * (1 - p.rate * ln(1 + ${t}))`
    case 'step': return `${b} * ${safePower('greatest(1 - p.rate, 0)', `floor(${t} / p.step_days)`)}`
    case 'access_based': return `${b} * ${safeExp(`-(p.rate / (1 + "accessCount")) * ${ageDays('coalesce("lastAccessedAt", "createdAt")')}`)}`
  }
}

// every parameter typed once here, used or not by the mode
const PARAMS = `p AS (SELECT $1::text AS persona, $2::float8 AS now, $3::float8 AS rate, $4::float8 AS p_floor,
  $5::float8 AS step_days, $6::float8 AS max_days, $7::float8 AS protect)`
const SCOPE = '"prunedAt" IS NULL AND (p.persona IS NULL OR "personaId" = p.persona)'

/**
 * The pass for a mode. Protected memories (base >= protectImportance, metadata.pinned === true) are left
 * out; only rows whose importance changes are locked (FOR UPDATE: read again at their latest version if
 * another instance wrote them meanwhile) and written.
 */
export function decayStatement (mode: DecayMode): string {
  if (!isDecayMode(mode)) throw new Error(`unknown decay mode "${String(mode)}"`)
  const v = curveSql(mode)
  const clamped = `(CASE WHEN "baseImportance" < p.p_floor THEN "baseImportance" ELSE least("baseImportance", greatest(p.p_floor, ${v})) END)`
  return `WITH ${PARAMS},
target AS (
  SELECT m.id, m.importance AS old, ${clamped} AS new FROM "Memory" m, p
  WHERE ${SCOPE} AND "baseImportance" < p.protect AND ${UNPINNED} AND importance IS DISTINCT FROM ${clamped}
  FOR UPDATE OF m
),
changed AS (UPDATE "Memory" m SET importance = target.new FROM target WHERE m.id = target.id RETURNING target.old - target.new AS drop)
SELECT (SELECT count(*) FROM "Memory", p WHERE ${SCOPE}) AS processed, count(*) AS decayed, coalesce(sum(drop), 0) AS drop FROM changed`
}

const statements = new Map<DecayMode, string>()

export async function runPostgresDecay (pool: pg.Pool, pass: DecayPass): Promise<DecayPassResult> {
  const mode = pass.mode
  if (!isDecayMode(mode)) throw new Error(`unknown decay mode "${mode}"`)
  let text = statements.get(mode)
  if (text === undefined) statements.set(mode, text = decayStatement(mode))
  const { rows: [row] } = await pool.query<{ processed: string, decayed: string, drop: number }>({
    name: `memory-decay-${mode}`,
    text,
    values: [pass.personaId, pass.now, pass.rate, pass.floor, pass.stepDays, pass.maxDecayDays, pass.protectImportance],
  })
  const decayed = Number(row.decayed)
  return { processed: Number(row.processed), decayed, averageDecay: decayed === 0 ? 0 : row.drop / decayed }
}
