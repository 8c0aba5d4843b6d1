// Scheduled jobs run once per period across every instance on the database, and never twice at once: each
// instance's clock fires, and the one whose claim of the period lands first runs it. A claim is one atomic
// upsert of the job's row in Setting ("job:<name>" -> { period, id, until }), which succeeds only when the
// row names another period AND the run that claimed it is over: marked done, or its lease run out (a
// crashed instance blocks the job for one lease at most). The running instance renews the lease while the
// job goes, and marks the claim done when it ends. An instance that fires late (clock skew, a busy event
// loop) finds the period taken; one that fires while another's run still goes finds the job held, and that
// tick is skipped cluster-wide. The value written before leases (a bare JSON string, the period) reads as a
// finished run.
import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import type { JobClaim } from '../../events/cluster.ts'

export interface JobClaimOptions {
  /** how long a claim holds the job without being renewed (default 5 minutes) */
  leaseMs?: number
}

export const DEFAULT_JOB_LEASE_MS = 5 * 60_000

// the lease's end on the database's clock (one clock for every instance), as an ISO time in UTC
const until = (leaseMs: string) => `to_char((now() + ${leaseMs}::int * interval '1 millisecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

// the stored claim, old or new: an object { period, id, until, done? }, or (before leases) the bare period
const CLAIM = `
  INSERT INTO "Setting" (key, value, "updatedAt")
  VALUES ($1, jsonb_build_object('period', $2::text, 'id', $3::text, 'until', ${until('$4')}), now())
  ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, "updatedAt" = now()
  WHERE (CASE jsonb_typeof("Setting".value) WHEN 'object' THEN "Setting".value->>'period' ELSE "Setting".value #>> '{}' END) IS DISTINCT FROM $2
    AND (jsonb_typeof("Setting".value) <> 'object'
      OR "Setting".value @> '{"done": true}'
      OR COALESCE(("Setting".value->>'until')::timestamptz, '-infinity') <= now())`

const RENEW = `
  UPDATE "Setting" SET value = jsonb_set(value, '{until}', to_jsonb(${until('$3')})), "updatedAt" = now()
  WHERE key = $1 AND jsonb_typeof(value) = 'object' AND value->>'id' = $2 AND NOT value @> '{"done": true}'`

const RELEASE = `
  UPDATE "Setting" SET value = value || '{"done": true}', "updatedAt" = now()
  WHERE key = $1 AND jsonb_typeof(value) = 'object' AND value->>'id' = $2`

/**
 * Claims `period` of `job` for this run: the claim when this call won it (renew pushes its lease's end
 * `leaseMs` past now, false once another claim replaced it; release marks it done, only while the row is
 * still this claim); false when the period was taken already or another run of the job still holds it.
 */
export async function claimJobPeriod (pool: pg.Pool, job: string, period: string, options: JobClaimOptions = {}): Promise<JobClaim | false> {
  const key = `job:${job}`
  const id = randomUUID()
  const leaseMs = Math.max(1, Math.round(options.leaseMs ?? DEFAULT_JOB_LEASE_MS))
  const { rowCount } = await pool.query(CLAIM, [key, period, id, leaseMs])
  if (rowCount !== 1) return false
  return {
    renew: async () => (await pool.query(RENEW, [key, id, leaseMs])).rowCount === 1,
    release: async () => { await pool.query(RELEASE, [key, id]) },
  }
}

/**
 * The period a cron tick at `at` belongs to: its minute (or `periodMs`), rounded, so instances a few
 * seconds apart agree.
 */
export function periodOf (at: Date, periodMs = 60_000): string {
  return new Date(Math.round(at.getTime() / periodMs) * periodMs).toISOString()
}
