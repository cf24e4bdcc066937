import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { ServiceLogger } from '../logger';

/** The queue every sync runs from: one job per audit row, the job's id is the audit's id. */
export const RUN_QUEUE = 'pims-sync-run';
/**
 * Older versions gave every clinic a pg-boss queue and cron schedule of its own under this prefix;
 * the nightly dispatcher replaced them, and removeLegacyDailyQueues deletes what is left.
 */
export const LEGACY_DAILY_QUEUE_PREFIX = 'pims-sync-daily-';

export interface RunJobData {
  syncId: string;
  clinicId: string;
}

/**
 * The queue of write-back: one job per outbox row (its id the row's job id), sent in the booking
 * change's transaction (see write-back-worker.ts). pg-boss retries a delivery that asked for it (a
 * passing failure, a booking another worker is writing) with backoff; the write-back's own budget
 * decides when it ends failed, so pg-boss's limit is only a backstop (the sweep sends a lost row again).
 */
export const WRITE_BACK_QUEUE = 'pims-write-back';
const WRITE_BACK_RETRY_LIMIT = 40;
/** A write-back job still active after this long is delivered again (the lease keeps a live one from running twice). */
const WRITE_BACK_EXPIRE_SECONDS = 15 * 60;

export interface WriteBackJobData {
  outboxId: string;
  bookingId: string;
  clinicId: string;
}

export interface BossSettings {
  jobExpireSeconds: number;
  maintenanceSeconds: number;
  retryLimit: number;
  retryDelaySeconds: number;
}

/**
 * pg-boss on the product's database (schema `pgboss`). Job expiry is the backstop that delivers a
 * job again when its worker died; the faster path is the recovery sweep (see recovery.ts).
 */
export async function startBoss(pool: pg.Pool, connectionString: string, settings: BossSettings, logger: ServiceLogger): Promise<PgBoss> {
  // Several processes starting at once can deadlock in pg-boss's start-up DDL: start afresh then.
  const boss = await retryOnLockConflict(async () => {
    const b = createBoss(connectionString, settings, logger);
    try {
      await b.start();
      return b;
    } catch (err) {
      // stop() is a no-op on an instance that never started: close its connections directly.
      await (b.getDb() as PgBoss.Db & { close?: () => Promise<void> }).close?.().catch(() => undefined);
      throw err;
    }
  });
  const runQueue: PgBoss.Queue = {
    name: RUN_QUEUE,
    policy: 'standard',
    retryLimit: settings.retryLimit,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: settings.jobExpireSeconds,
  };
  await ensureQueue(boss, pool, runQueue);
  await ensureQueue(boss, pool, {
    name: WRITE_BACK_QUEUE,
    policy: 'standard',
    retryLimit: WRITE_BACK_RETRY_LIMIT,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: Math.min(settings.jobExpireSeconds, WRITE_BACK_EXPIRE_SECONDS),
  });
  return boss;
}

function createBoss(connectionString: string, settings: BossSettings, logger: ServiceLogger): PgBoss {
  const boss = new PgBoss({
    connectionString,
    application_name: 'pims-sync-queue',
    max: 4,
    // No pg-boss cron: the nightly dispatcher (nightly-dispatcher.ts) plans the scheduled syncs.
    schedule: false,
    supervise: true,
    migrate: true,
    maintenanceIntervalSeconds: settings.maintenanceSeconds,
  });
  boss.on('error', (err: Error & { queue?: string }) => {
    logger.error({ err: { name: err.name, message: err.message }, queue: err.queue }, 'queue error');
  });
  return boss;
}

/** Advisory lock key that serialises queue creation across processes (see ensureQueue). */
const QUEUE_DDL_LOCK = 727_101;

/** Queue creations of this process, one at a time (see ensureQueue). */
let ddlTail: Promise<unknown> = Promise.resolve();

/**
 * Creates a queue unless it exists, then applies its options. pg-boss creates each queue's
 * partition with DDL (a foreign key to its queue table, a partition attach), and two processes
 * creating queues at once deadlock on those locks; so every process takes one advisory lock around
 * it, and a conflict with anything else is retried. Within a process the creations wait their turn
 * in memory first, so a burst of new clinics holds at most one of the pool's connections waiting
 * for that lock (not all of them, which would starve every other request).
 */
export async function ensureQueue(boss: PgBoss, pool: pg.Pool, queue: PgBoss.Queue): Promise<void> {
  const existing = await boss.getQueue(queue.name);
  if (existing && sameOptions(existing, queue)) return;
  const turn = ddlTail.then(() => createOrUpdateQueue(boss, pool, queue));
  ddlTail = turn.catch(() => undefined);
  await turn;
}

async function createOrUpdateQueue(boss: PgBoss, pool: pg.Pool, queue: PgBoss.Queue): Promise<void> {
  await withQueueDdlLock(pool, () =>
    retryOnLockConflict(async () => {
      if (!(await boss.getQueue(queue.name))) await boss.createQueue(queue.name, queue);
      await boss.updateQueue(queue.name, queue);
    }),
  );
}

/** Runs fn while holding the queue-DDL advisory lock, on a connection of `pool` (pg-boss uses its own). */
async function withQueueDdlLock<T>(pool: pg.Pool, fn: (lock: pg.PoolClient) => Promise<T>): Promise<T> {
  const lock = await pool.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [QUEUE_DDL_LOCK]);
    return await fn(lock);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [QUEUE_DDL_LOCK]).catch(() => undefined);
    lock.release();
  }
}

const LEGACY_NAMES_SQL = `select name from pgboss.queue where name like $1 union select name from pgboss.schedule where name like $1`;

/**
 * Deletes the per-clinic daily schedules and queues (`pims-sync-daily-<clinicId>`) that versions
 * before the nightly dispatcher left (a scheduled job still waiting in one goes with it: the
 * dispatcher plans that clinic's runs now). Called once at start-up; with nothing left it is one
 * cheap query. Under the queue-DDL lock, so processes starting together do not collide.
 */
export async function removeLegacyDailyQueues(boss: PgBoss, pool: pg.Pool, logger: ServiceLogger): Promise<number> {
  const like = `${LEGACY_DAILY_QUEUE_PREFIX}%`;
  if ((await pool.query(LEGACY_NAMES_SQL, [like])).rowCount === 0) return 0;
  const removed = await withQueueDdlLock(pool, async (lock) => {
    const { rows } = await lock.query<{ name: string }>(LEGACY_NAMES_SQL, [like]);
    for (const { name } of rows) {
      await retryOnLockConflict(async () => {
        await boss.unschedule(name);
        // pg-boss refuses to delete a queue that still has jobs (a RESTRICT foreign key).
        await lock.query('delete from pgboss.job where name = $1', [name]);
        await boss.deleteQueue(name);
      });
    }
    return rows.length;
  });
  if (removed > 0) logger.info({ queues: removed }, 'removed the per-clinic daily queues of an older version (the nightly dispatcher plans scheduled syncs now)');
  return removed;
}

function sameOptions(a: PgBoss.QueueResult, b: PgBoss.Queue): boolean {
  const keys = ['policy', 'retryLimit', 'retryDelay', 'retryBackoff', 'expireInSeconds'] as const;
  return keys.every((k) => b[k] === undefined || a[k] === b[k]);
}

// deadlock, serialization failure, lock not available, and the duplicates two concurrent CREATEs can raise
const LOCK_CONFLICTS = new Set(['40P01', '40001', '55P03', '23505', '42P07']);

/** Runs fn again (up to 6 times, with a short random pause) when Postgres reports a deadlock or a lock conflict. */
export async function retryOnLockConflict<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (i >= attempts || !code || !LOCK_CONFLICTS.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 50 * i + Math.floor(Math.random() * 200)));
    }
  }
}

/** Lets pg-boss write inside a transaction of ours (the audit row and its job commit together). */
export function inTransaction(client: pg.PoolClient): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const r = await client.query(text, values);
      return { rows: r.rows };
    },
  };
}
