import type { Pool, PoolClient } from '@pims/db';
import { AppError } from '@pims/util';

/**
 * A session-level Postgres advisory lock per clinic, held on its own connection for the whole run:
 * two syncs of one clinic never run at once, across every process on the database. A process that
 * dies loses its connection and with it the lock.
 */
export async function acquireClinicLock(pool: Pool, clinicId: string): Promise<{ release(): Promise<void> }> {
  const client: PoolClient = await pool.connect();
  try {
    const { rows } = await client.query(`select pg_try_advisory_lock(hashtextextended('pims-sync:clinic:' || $1, 0)) as ok`, [clinicId]);
    if (!rows[0].ok) {
      client.release();
      throw new AppError('sync_in_progress', 'Another sync of this clinic is running', { status: 409, retryable: true });
    }
  } catch (err) {
    if ((err as AppError).code !== 'sync_in_progress') client.release(true);
    throw err;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query(`select pg_advisory_unlock(hashtextextended('pims-sync:clinic:' || $1, 0))`, [clinicId]);
        client.release();
      } catch {
        client.release(true);
      }
    },
  };
}
