// Scheduled jobs run once per period across every instance on the database: each instance's clock fires,
// and the one whose claim of the period lands first runs it. A claim is one atomic upsert of the job's row
// in Setting ("job:<name>" -> the period's key), so it needs no lock held while the job runs, and an
// instance that fires late (clock skew, a busy event loop) finds the period taken.
import type pg from 'pg'

/** true when this call claimed `period` of `job`; false when another instance already had it */
export async function claimJobPeriod (pool: pg.Pool, job: string, period: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `INSERT INTO "Setting" (key, value, "updatedAt") VALUES ($1, $2::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, "updatedAt" = now()
     WHERE "Setting".value IS DISTINCT FROM EXCLUDED.value`,
    [`job:${job}`, JSON.stringify(period)])
  return rowCount === 1
}

/** The period a cron tick at `at` belongs to: its minute, rounded, so instances a few seconds apart agree. */
export function periodOf (at: Date): string {
  return new Date(Math.round(at.getTime() / 60_000) * 60_000).toISOString()
}
