import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { ServiceLogger } from '../logger';

/** The queue every sync runs from: one job per audit row, the job's id is the audit's id. */
export const RUN_QUEUE = 'pims-sync-run';
/** Each clinic's daily schedule fires into its own queue (pg-boss 10 keys schedules by queue name). */
export const DAILY_QUEUE_PREFIX = 'pims-sync-daily-';

export interface RunJobData {
  syncId: string;
  clinicId: string;
}

export interface BossSettings {
  /** pg-boss's own timekeeper (cron schedules): on in worker processes. */
  schedule: boolean;
  jobExpireSeconds: number;
  maintenanceSeconds: number;
  cronMonitorSeconds: number;
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
  return boss;
}

function createBoss(connectionString: string, settings: BossSettings, logger: ServiceLogger): PgBoss {
  const boss = new PgBoss({
    connectionString,
    application_name: 'pims-sync-queue',
    max: 4,
    schedule: settings.schedule,
    supervise: true,
    migrate: true,
    maintenanceIntervalSeconds: settings.maintenanceSeconds,
    cronMonitorIntervalSeconds: settings.cronMonitorSeconds,
    cronWorkerIntervalSeconds: Math.min(5, settings.cronMonitorSeconds),
    clockMonitorIntervalSeconds: 60,
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
  const lock = await pool.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [QUEUE_DDL_LOCK]);
    await retryOnLockConflict(async () => {
      if (!(await boss.getQueue(queue.name))) await boss.createQueue(queue.name, queue);
      await boss.updateQueue(queue.name, queue);
    });
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [QUEUE_DDL_LOCK]).catch(() => undefined);
    lock.release();
  }
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
