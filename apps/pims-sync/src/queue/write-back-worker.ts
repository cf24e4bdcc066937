import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { AppError } from '@pims/util';
import type { QueueJobState, WriteBackQueue, WriteBackService } from '@pims/sync-data-access';
import { errFields, type ServiceLogger } from '../logger';
import { inTransaction, WRITE_BACK_QUEUE, type WriteBackJobData } from './boss';

export interface WriteBackWorkerSettings {
  concurrency: number;
  pollSeconds: number;
  /** A row whose job was sent this long ago and no worker holds is looked at by the sweep. */
  staleSeconds: number;
  sweepSeconds: number;
}

/** pg-boss's schema: startBoss keeps pg-boss's default. */
const BOSS_SCHEMA = 'pgboss';

/**
 * The write-back queue as the domain sees it: a job sent inside the booking change's transaction
 * (pg-boss writes its row on that connection), so the outbox row and its job commit together and a
 * booking is never lost when the process dies right after its commit.
 */
export function createWriteBackQueue(boss: PgBoss): WriteBackQueue {
  return {
    async send(tx, job) {
      const data: WriteBackJobData = { outboxId: job.outboxId, bookingId: job.bookingId, clinicId: job.clinicId };
      const id = await boss.send(WRITE_BACK_QUEUE, data, { id: job.jobId, db: inTransaction(tx) });
      if (!id) throw new AppError('queue_unavailable', 'The write-back could not be queued', { status: 503, retryable: true });
    },
  };
}

/** The states of write-back jobs by id (one query; pg-boss 10 looks jobs up one at a time). */
export async function writeBackJobStates(pool: pg.Pool, jobIds: string[]): Promise<Map<string, QueueJobState>> {
  const out = new Map<string, QueueJobState>();
  if (jobIds.length === 0) return out;
  const { rows } = await pool.query<{ id: string; state: QueueJobState['state']; active_for: number | null }>(
    `select id, state::text as state, extract(epoch from now() - started_on)::float8 as active_for
     from ${BOSS_SCHEMA}.job where name = $1 and id = any($2::uuid[])`,
    [WRITE_BACK_QUEUE, jobIds],
  );
  for (const r of rows) out.set(r.id, { state: r.state, activeForSeconds: r.state === 'active' ? r.active_for : null });
  return out;
}

/**
 * The consumers of the write-back queue in a worker process: `concurrency` pg-boss workers with
 * batchSize 1, and the sweep that sends a new job for a row whose job was lost (its worker died
 * mid-write, or pg-boss gave up on it). A delivery runs WriteBackService.process: settled or
 * nothing to do completes the job; a passing failure, or a booking another worker is writing,
 * fails it so pg-boss delivers it again with backoff.
 */
export class WriteBackWorkers {
  private workerIds: string[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      boss: PgBoss;
      pool: pg.Pool;
      writeBack: WriteBackService;
      logger: ServiceLogger;
      settings: WriteBackWorkerSettings;
    },
  ) {}

  async start(): Promise<void> {
    const { boss, settings } = this.deps;
    for (let i = 0; i < settings.concurrency; i++) {
      const id = await boss.work<WriteBackJobData>(WRITE_BACK_QUEUE, { batchSize: 1, pollingIntervalSeconds: settings.pollSeconds }, async (jobs) => {
        for (const job of jobs) await this.track(this.handle(job.data));
      });
      this.workerIds.push(id);
    }
    const tick = () => {
      if (this.sweeping) return;
      this.sweeping = this.sweep()
        .then(() => undefined)
        .catch((err) => this.deps.logger.error({ err: errFields(err) }, 'write-back sweep failed'))
        .finally(() => {
          this.sweeping = null;
        });
    };
    this.timer = setInterval(tick, settings.sweepSeconds * 1000);
    this.timer.unref();
    this.deps.logger.info({ concurrency: settings.concurrency }, 'write-back workers started');
  }

  /** One delivery; throws (so pg-boss retries with backoff) when the write-back asked for another. */
  async handle(data: WriteBackJobData): Promise<void> {
    const r = await this.deps.writeBack.process(data?.bookingId);
    if (r.kind === 'busy') throw new AppError('write_back_busy', 'Another worker is writing this booking', { retryable: true });
    if (r.kind === 'retry') throw new AppError(r.error.code, r.error.message, { retryable: true });
  }

  /** One sweep: how many lost rows got a new job. */
  sweep(): Promise<number> {
    const { writeBack, pool, settings } = this.deps;
    return writeBack.sweep({ staleSeconds: settings.staleSeconds, jobs: (ids) => writeBackJobStates(pool, ids) });
  }

  /** Stops taking jobs and the sweep; waits up to graceMs for running write-backs (one stopped by the process's end is picked up again: its lease is free). */
  async shutdown(graceMs: number): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const ids = this.workerIds;
    this.workerIds = [];
    for (const id of ids) await this.deps.boss.offWork({ id }).catch(() => undefined);
    await this.sweeping;
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  private async track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    try {
      return await p;
    } finally {
      this.running.delete(p);
    }
  }
}
