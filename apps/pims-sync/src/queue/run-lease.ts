import type pg from 'pg';
import { trySessionLock } from '@pims/db';
import { RUN_QUEUE } from './boss';

/**
 * A run lease: while a worker handles a sync's job it holds a session-level advisory lock keyed by
 * the sync's id on a connection of its own, taken as soon as it has the job and kept until the run
 * ended. Postgres drops the lock the moment that process or connection dies, so "is the lease
 * held?" tells a live run from a dead one without waiting for a heartbeat to age.
 *
 * Advisory lock keys on the product's database, all in this one list so no two users meet.
 * Postgres has two key spaces that never overlap: the one-bigint form (pg_locks shows the key's
 * high and low 32 bits in classid and objid, objsubid = 1) and the two-int4 form (classid = key 1,
 * objid = key 2, objsubid = 2).
 *   - one bigint: migration runs 727_001 (@pims/db migrate.ts); queue creation 727_101 (boss.ts);
 *     each clinic's sync, hashtextextended('pims-sync:clinic:' || clinic id, 0) (clinic-lock.ts of
 *     @pims/sync-data-access); a booking's write-back lease, hashtextextended('pims-sync:write-back:'
 *     || booking id, 0), and its step locks, hashtextextended('pims-sync:write-back-lock:' || name, 0)
 *     with name 'client:<clinic id>:<E.164 phone>' or 'slot:<slot id>' (write-back-lease.ts of
 *     @pims/sync-data-access). Hashed keys of distinct prefixes meet only by a 64-bit collision.
 *   - two int4: run leases, the sync id's first 64 bits (leaseKeys below); the nightly
 *     dispatcher's leadership, (727_102, 0) (nightly-dispatcher.ts). No lease can take the
 *     dispatcher's key: a lease's second key holds the uuid's version digit, never 0 in a
 *     generated uuid (gen_random_uuid is version 4).
 * A new fixed lock takes the one-bigint form and a number of the 727_xxx series not used above.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isSyncId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * The lease's two int4 keys: the uuid's first and second 32 bits, as signed int4 (what
 * pg_try_advisory_lock(int4, int4) takes). Two syncs share a lease only if their ids agree on
 * 64 bits (60 of them random in a version-4 uuid).
 */
export function leaseKeys(syncId: string): [number, number] {
  const [hi, lo] = unsignedKeys(syncId);
  return [hi | 0, lo | 0];
}

/** The same keys as pg_locks shows them (classid and objid are oids: unsigned 32 bits). */
function unsignedKeys(syncId: string): [number, number] {
  if (!isSyncId(syncId)) throw new TypeError('A run lease is keyed by a sync id (a uuid)');
  const hex = syncId.replace(/-/g, '');
  return [Number.parseInt(hex.slice(0, 8), 16), Number.parseInt(hex.slice(8, 16), 16)];
}

export interface Lease {
  /** False once the connection holding the lock was lost. */
  readonly held: boolean;
  release(): Promise<void>;
}

/** A sync's pg-boss job, as far as recovery needs it. */
export interface RunJob {
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  /** Seconds since a worker last took it (database clock), or null if never taken. */
  activeForSeconds: number | null;
}

/** pg-boss's schema: startBoss keeps pg-boss's default. */
const BOSS_SCHEMA = 'pgboss';

export class RunLeases {
  constructor(private readonly pool: pg.Pool) {}

  /** Takes the lease, or null when another session holds it. */
  async acquire(syncId: string): Promise<Lease | null> {
    const keys = leaseKeys(syncId);
    return trySessionLock(this.pool, 'select pg_try_advisory_lock($1::int4, $2::int4) as ok', 'select pg_advisory_unlock($1::int4, $2::int4)', keys);
  }

  /** Whether some session of this database holds the sync's lease (its run is alive). */
  async isHeld(syncId: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `select 1 from pg_catalog.pg_locks
       where locktype = 'advisory' and granted and classid = $1::int8::oid and objid = $2::int8::oid and objsubid = 2
         and database = (select oid from pg_catalog.pg_database where datname = current_database())`,
      unsignedKeys(syncId),
    );
    return rows.length > 0;
  }

  /**
   * The run-queue jobs of these syncs (a job's id is its sync's id); a sync whose job is gone
   * (deleted, or archived by pg-boss's maintenance) is missing from the map. One query for all of
   * them: pg-boss 10's API looks jobs up one id at a time.
   */
  async jobsOf(syncIds: string[]): Promise<Map<string, RunJob>> {
    const jobs = new Map<string, RunJob>();
    const ids = syncIds.filter(isSyncId);
    if (ids.length === 0) return jobs;
    const { rows } = await this.pool.query<{ id: string; state: RunJob['state']; active_for: number | null }>(
      `select id, state::text as state, extract(epoch from now() - started_on)::float8 as active_for
       from ${BOSS_SCHEMA}.job where name = $1 and id = any($2::uuid[])`,
      [RUN_QUEUE, ids],
    );
    for (const r of rows) jobs.set(r.id, { state: r.state, activeForSeconds: r.active_for });
    return jobs;
  }
}
