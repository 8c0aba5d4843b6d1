import type pg from 'pg'

/**
 * Runs `work` on one pooled connection inside BEGIN ... COMMIT (ROLLBACK when it throws), for multi-row
 * writes that must land together; rows read then written are locked in it with SELECT ... FOR UPDATE.
 */
export async function inTransaction<T> (pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  // a connection whose ROLLBACK failed may still be inside the transaction: it is dropped, not pooled again
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: Error) => { broken = rollbackErr })
    throw err
  } finally {
    client.release(broken)
  }
}
