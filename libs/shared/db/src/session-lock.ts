import type pg from 'pg';

/**
 * A session-level advisory lock held on a connection of its own: Postgres drops it the moment the
 * holding process or connection dies, so "is it held?" tells live work from dead work without a
 * heartbeat. Used by the run leases of syncs and the leases of write-backs.
 */
export interface SessionLock {
  /** The connection that holds the lock (further locks of the same holder go on it). */
  readonly client: pg.PoolClient;
  /** False once the connection holding the lock was lost (or the lock released). */
  readonly held: boolean;
  /** Records that the lock can no longer be trusted (a statement on its connection failed). */
  lose(): void;
  release(): Promise<void>;
}

/**
 * Takes an advisory lock with `select pg_try_advisory_lock(...) as ok` (the caller's key expression
 * and parameters), or null when another session holds it. `unlockSql` releases it on release().
 */
export async function trySessionLock(pool: pg.Pool, lockSql: string, unlockSql: string, params: unknown[]): Promise<SessionLock | null> {
  const client = await pool.connect();
  let held = true;
  const onError = () => {
    held = false;
  };
  client.on('error', onError);
  try {
    const { rows } = await client.query<{ ok: boolean }>(lockSql, params);
    if (!rows[0]?.ok) {
      client.off('error', onError);
      client.release();
      return null;
    }
  } catch (err) {
    client.off('error', onError);
    client.release(true);
    throw err;
  }
  let released = false;
  return {
    client,
    get held() {
      return held && !released;
    },
    lose() {
      held = false;
    },
    async release() {
      if (released) return;
      released = true;
      try {
        if (held) await client.query(unlockSql, params);
        client.off('error', onError);
        client.release();
      } catch {
        client.off('error', onError);
        client.release(true); // destroying the connection drops the lock anyway
      }
    },
  };
}
