import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

// Return int8 (counts) as numbers and dates ('date' columns) as plain 'YYYY-MM-DD' strings.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
pg.types.setTypeParser(1082, (v) => v);

/**
 * Code that holds a connection of a pool (inside `withTransaction`) asked the same pool for a
 * second one (`pool.query`, `pool.connect`, a repository called without the transaction's client).
 * Under a burst every connection is then held by a caller waiting for another: the pool deadlocks
 * until its connect timeout. Pass the transaction's client instead.
 */
export class NestedConnectionError extends Error {
  readonly code = 'nested_pool_connection';
  constructor() {
    super('A pool connection was requested while this async context already holds one of the same pool (inside withTransaction): pass the transaction client instead');
    this.name = 'NestedConnectionError';
  }
}

interface HeldConnection {
  pool: pg.Pool;
  /** False once the transaction ended (work started inside it may outlive it). */
  open: boolean;
}

/** The connections the current async context holds (set by withTransaction). */
const held = new AsyncLocalStorage<readonly HeldConnection[]>();

/** Whether the current async context holds an open connection of this pool. */
export function holdsConnectionOf(pool: pg.Pool): boolean {
  return (held.getStore() ?? []).some((h) => h.open && h.pool === pool);
}

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /**
   * What happens when code holding one of this pool's connections asks it for another (see
   * NestedConnectionError): by default the request fails with that error (tests, tools); a
   * callback is told instead and the request goes on (production: log it, do not break).
   */
  onNestedConnection?: 'throw' | ((err: NestedConnectionError) => void);
}

export function createPool(connectionString: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? 'pims-sync',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 15_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  guardNestedConnections(pool, opts.onNestedConnection ?? 'throw');
  return pool;
}

/**
 * Wraps pool.connect (pool.query goes through it) so a request for a connection from inside a
 * context that already holds one of this pool is refused or reported.
 */
function guardNestedConnections(pool: pg.Pool, on: NonNullable<PoolOptions['onNestedConnection']>): void {
  const connect = pool.connect.bind(pool) as (cb?: (err: Error | undefined, client?: pg.PoolClient, done?: () => void) => void) => unknown;
  const guarded = (cb?: (err: Error | undefined, client?: pg.PoolClient, done?: () => void) => void) => {
    if (holdsConnectionOf(pool)) {
      const err = new NestedConnectionError();
      if (on === 'throw') {
        if (cb) {
          process.nextTick(() => cb(err, undefined, () => undefined));
          return undefined;
        }
        return Promise.reject(err);
      }
      on(err);
    }
    return connect(cb);
  };
  pool.connect = guarded as typeof pool.connect;
}

/**
 * Runs fn inside one transaction on one client; rolls back on any error. While fn runs, the async
 * context is marked as holding a connection of this pool: asking the same pool for another one
 * there is refused (see createPool's onNestedConnection). Use the client given to fn.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const mark: HeldConnection = { pool, open: true };
  try {
    await client.query('begin');
    const result = await held.run([...(held.getStore() ?? []), mark], () => fn(client));
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    mark.open = false;
    client.release();
  }
}

/** A connection string with its password hidden, for logs. */
export function redactConnectionString(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return '<unparseable connection string>';
  }
}
