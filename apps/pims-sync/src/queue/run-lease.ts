import type pg from 'pg';

/**
 * A run lease: while a worker runs a sync it holds a session-level advisory lock keyed by the sync's
 * id on a connection of its own. Postgres drops the lock the moment that process or connection dies,
 * so "is the lease held?" tells a live run from a dead one without waiting for a heartbeat to age.
 */
const LEASE_CLASS = 727_100; // first key of the two-key advisory lock space used for run leases

/** The second key: 31 bits of the uuid (advisory locks show it in pg_locks.objid). */
export function leaseKey(syncId: string): number {
  return Number.parseInt(syncId.replace(/-/g, '').slice(0, 8), 16) & 0x7fffffff;
}

export interface Lease {
  /** False once the connection holding the lock was lost. */
  readonly held: boolean;
  release(): Promise<void>;
}

export class RunLeases {
  constructor(private readonly pool: pg.Pool) {}

  /** Takes the lease, or null when another session holds it. */
  async acquire(syncId: string): Promise<Lease | null> {
    const client = await this.pool.connect();
    let held = true;
    const onError = () => {
      held = false;
    };
    client.on('error', onError);
    try {
      const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [LEASE_CLASS, leaseKey(syncId)]);
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
      get held() {
        return held && !released;
      },
      async release() {
        if (released) return;
        released = true;
        try {
          if (held) await client.query('select pg_advisory_unlock($1, $2)', [LEASE_CLASS, leaseKey(syncId)]);
          client.off('error', onError);
          client.release();
        } catch {
          client.off('error', onError);
          client.release(true); // destroying the connection drops the lock anyway
        }
      },
    };
  }

  /** Whether some session of this database holds the sync's lease (its run is alive). */
  async isHeld(syncId: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `select 1 from pg_catalog.pg_locks
       where locktype = 'advisory' and granted and classid = $1::int8::oid and objid = $2::int8::oid and objsubid = 2
         and database = (select oid from pg_catalog.pg_database where datname = current_database())`,
      [LEASE_CLASS, leaseKey(syncId)],
    );
    return rows.length > 0;
  }
}
