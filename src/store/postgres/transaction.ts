import type pg from 'pg'

/**
 * Runs `work` on one pooled connection inside BEGIN ... COMMIT (ROLLBACK when it throws), for multi-row
 * writes that must land together; rows read then written are locked in it with SELECT ... FOR UPDATE.
 */
export async function inTransaction<T> (pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}
