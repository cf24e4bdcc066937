import { trySessionLock, type Pool } from '@pims/db';
import { AppError } from '@pims/util';

/**
 * Advisory lock keys of write-back (one-bigint form, in the key list of pims-sync's run-lease.ts):
 * a booking's lease hashtextextended('pims-sync:write-back:' || booking id, 0); the step locks
 * hashtextextended('pims-sync:write-back-lock:' || name, 0), name 'client:<clinic id>:<E.164>' or
 * 'slot:<slot id>'.
 */
const BOOKING_KEY = `hashtextextended('pims-sync:write-back:' || $1, 0)`;
const STEP_KEY = `hashtextextended('pims-sync:write-back-lock:' || $1, 0)`;

/** How long a write-back waits for another one's step under the same lock. */
const STEP_WAIT_MS = 90_000;
const STEP_POLL_MS = 50;

/**
 * A booking's write-back lease: a session-level advisory lock on a connection of its own, held for
 * the whole write, so two workers (in any processes) never write one booking at once. Postgres drops
 * it with the process or connection that holds it, so a free lease tells a dead write from a live one.
 */
export interface WriteBackLease {
  /** False once the connection holding the lock was lost. */
  readonly held: boolean;
  /**
   * Runs fn holding a step lock too (on the lease's connection), waiting for another write-back
   * that holds it. Taken in one order by every write-back (a client's, then a slot's), so two never
   * wait for each other. `client:<clinic>:<phone>`: matching and creating a client and patient, so
   * two bookings of one new caller never create the client twice; `slot:<id>`: the check of the
   * PIMS's calendar and the create after it, so two of our bookings never both see the last seat free.
   */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  release(): Promise<void>;
}

/** Takes the booking's lease, or null when another session holds it. */
export async function tryBookingLease(pool: Pool, bookingId: string): Promise<WriteBackLease | null> {
  const lock = await trySessionLock(pool, `select pg_try_advisory_lock(${BOOKING_KEY}) as ok`, `select pg_advisory_unlock(${BOOKING_KEY})`, [bookingId]);
  if (!lock) return null;
  const { client } = lock;
  return {
    get held() {
      return lock.held;
    },
    async withLock(name, fn) {
      const deadline = Date.now() + STEP_WAIT_MS;
      for (;;) {
        const { rows } = await client.query<{ ok: boolean }>(`select pg_try_advisory_lock(${STEP_KEY}) as ok`, [name]);
        if (rows[0]?.ok) break;
        if (Date.now() > deadline) {
          throw new AppError('write_back_busy', 'Another write-back of this client or slot is still running', { status: 503, retryable: true });
        }
        await new Promise((r) => setTimeout(r, STEP_POLL_MS));
      }
      try {
        return await fn();
      } finally {
        await client.query(`select pg_advisory_unlock(${STEP_KEY})`, [name]).catch(() => lock.lose());
      }
    },
    release: () => lock.release(),
  };
}
