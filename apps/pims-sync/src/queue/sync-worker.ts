import type PgBoss from 'pg-boss';
import { AppError, describeError, isAppError } from '@pims/util';
import type { AuditsRepository } from '@pims/sync-data-access';
import type { SyncAudit } from '@pims/sync-contracts';
import type { SyncService } from '../services/sync-service';
import { errFields, withLogContext, type ServiceLogger } from '../logger';
import type { RunEndedObserver } from '../metrics';
import { RUN_QUEUE, type RunJobData } from './boss';
import type { Recovery } from './recovery';
import { isSyncId, type Lease, type RunLeases } from './run-lease';

/** What a worker needs from the orchestrator (SyncOrchestrator satisfies it). */
export interface SyncRunner {
  runQueuedSync(syncId: string, opts?: { signal?: AbortSignal }): Promise<SyncAudit>;
}

export interface SyncWorkerSettings {
  concurrency: number;
  pollSeconds: number;
  maxAttempts: number;
  retryDelaySeconds: number;
}

interface Running {
  syncId: string;
  controller: AbortController;
  /** Set when this process began to stop while the sync ran: unless it completed, it is queued again. */
  duringShutdown: boolean;
  done: Promise<void>;
}

/**
 * The pg-boss consumers of the run queue: `concurrency` workers with batchSize 1 in this process.
 * A job carries {syncId}. The worker takes the sync's run lease first (see run-lease.ts), then
 * the audit row says what to do with it:
 *   - queued: run it, under that lease;
 *   - in_progress: the job came back after its worker died (pg-boss expiry) -> recover it; when
 *     the lease is held elsewhere, the run outlived the job's expiry and is still going;
 *   - finished or cancelled: nothing to do.
 * Transient failures (AppError with retryable: true) are retried as new attempts with exponential
 * backoff; other failures are final.
 */
export class SyncWorkers {
  private readonly running = new Map<string, Running>();
  private workerIds: string[] = [];
  private stopping = false;

  constructor(
    private readonly deps: {
      boss: PgBoss;
      audits: AuditsRepository;
      leases: RunLeases;
      syncs: SyncService;
      recovery: Recovery;
      runner: SyncRunner;
      logger: ServiceLogger;
      settings: SyncWorkerSettings;
      /** Told of every run this worker ended (the metrics). */
      onRunEnded?: RunEndedObserver;
    },
  ) {}

  async start(): Promise<void> {
    const { boss, settings } = this.deps;
    for (let i = 0; i < settings.concurrency; i++) {
      const id = await boss.work<RunJobData>(
        RUN_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: settings.pollSeconds, includeMetadata: true },
        async (jobs) => {
          for (const job of jobs) await this.handle(job);
        },
      );
      this.workerIds.push(id);
    }
    this.deps.logger.info({ concurrency: settings.concurrency }, 'sync workers started');
  }

  get activeSyncIds(): string[] {
    return [...this.running.keys()];
  }

  /** Stops taking jobs (running syncs go on). */
  async stopTaking(): Promise<void> {
    this.stopping = true;
    const ids = this.workerIds;
    this.workerIds = [];
    for (const id of ids) await this.deps.boss.offWork({ id });
  }

  /**
   * Graceful stop: no new jobs; running syncs get graceMs to finish, then are aborted: they stop at
   * their next safe point, end `cancelled`, and are queued again as a new attempt. With graceMs 0
   * the abort happens synchronously, before this returns its promise (so before other signal
   * handlers of the process run).
   */
  shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const r of this.running.values()) r.duringShutdown = true;
    if (graceMs <= 0) this.abortAll();
    return (async () => {
      await this.stopTaking();
      const all = () => Promise.allSettled([...this.running.values()].map((r) => r.done));
      if (this.running.size === 0) return;
      this.deps.logger.info({ running: this.activeSyncIds, graceMs }, 'waiting for running syncs before stopping');
      if (graceMs > 0) {
        let timer: NodeJS.Timeout | undefined;
        const finished = await Promise.race([all().then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
        clearTimeout(timer);
        if (finished) return;
        this.abortAll();
      }
      await all();
    })();
  }

  private abortAll(): void {
    for (const r of this.running.values()) {
      r.duringShutdown = true;
      if (!r.controller.signal.aborted) {
        r.controller.abort(new AppError('shutdown', 'The worker is shutting down; the sync will be queued again', { retryable: true }));
      }
    }
  }

  async handle(job: PgBoss.JobWithMetadata<RunJobData>): Promise<void> {
    const { syncId } = job.data;
    if (!isSyncId(syncId)) {
      this.deps.logger.warn({ syncId, jobId: job.id }, 'job for an unknown sync; dropped');
      return;
    }
    // The lease first, before anything else: from moments after pg-boss handed this process the
    // job until the run ended, the lease says this process is alive (recovery takes a job that
    // has been active for a while with a free lease for one whose worker died before starting).
    const lease = await this.deps.leases.acquire(syncId);
    try {
      const audit = await this.deps.audits.findById(syncId);
      if (!audit) {
        this.deps.logger.warn({ syncId, jobId: job.id }, 'job for an unknown sync; dropped');
        return;
      }
      await withLogContext({ syncId, clinicId: audit.clinicId }, () => this.handleAudit(job, audit, lease));
    } finally {
      await lease?.release();
    }
  }

  /** `lease`: this process's hold on the sync's run lease, or null when another session holds it (handle releases it; a run releases it as it ends). */
  private async handleAudit(job: PgBoss.JobWithMetadata<RunJobData>, audit: SyncAudit, lease: Lease | null): Promise<void> {
    const syncId = audit.id;
    const log = this.deps.logger.child({ syncId, clinicId: audit.clinicId, jobId: job.id });
    if (audit.status !== 'queued' && audit.status !== 'in_progress') {
      log.info({ status: audit.status }, 'sync already ended; nothing to run');
      return;
    }
    if (!lease) {
      if (audit.status === 'in_progress') {
        log.warn({ retryCount: job.retryCount }, 'job delivered again while its run is still going (it outlived the job expiry); left to that run');
      } else {
        log.warn('another process holds this sync (it is starting or recovering it); skipped');
      }
      return;
    }
    if (audit.status === 'in_progress') {
      // This process holds the lease, so the run that set it in progress is gone.
      await this.deps.recovery.recoverLost(audit, 'The worker running this sync stopped before it finished (its job was delivered again)');
      return;
    }
    if (this.stopping) throw new AppError('shutdown', 'This worker is shutting down', { retryable: true });
    const entry: Running = { syncId, controller: new AbortController(), duringShutdown: false, done: Promise.resolve() };
    let settle!: () => void;
    entry.done = new Promise<void>((r) => (settle = r));
    this.running.set(syncId, entry);
    try {
      log.info({ syncType: audit.syncType, attempt: audit.attempt, triggeredBy: audit.triggeredBy, retryOf: audit.retryOf }, 'sync starting');
      const result = await this.deps.runner.runQueuedSync(syncId, { signal: entry.controller.signal });
      log.info(
        {
          status: result.status,
          phases: result.phases.map((p) => `${p.name}:${p.status}`),
          appointmentsFound: result.appointmentsFound,
          casesCreated: result.casesCreated,
          casesUpdated: result.casesUpdated,
          casesDeleted: result.casesDeleted,
          errorCode: result.errorCode,
        },
        'sync ended',
      );
      // A run that never started (cancelled while queued) was told where it was cancelled.
      if (result.startedAt && isEnded(result)) this.deps.onRunEnded?.(result);
      await this.afterEnd(result, entry, log, result.status === 'failed' && TRANSIENT_AUDIT_CODES.has(result.errorCode ?? ''));
    } catch (err) {
      await this.onThrow(job, audit, err, entry, log);
    } finally {
      this.running.delete(syncId);
      await lease.release();
      settle();
    }
  }

  /** A sync that threw instead of returning its final audit. */
  private async onThrow(job: PgBoss.JobWithMetadata<RunJobData>, audit: SyncAudit, err: unknown, entry: Running, log: ServiceLogger) {
    const d = describeError(err);
    const transient = isTransientError(err);
    const current = await this.deps.audits.findById(audit.id).catch(() => null);
    if (!current) {
      log.error({ err: errFields(err) }, 'sync failed and its audit cannot be read; the job will be retried');
      throw err;
    }
    if (current.status === 'queued') {
      // It never started: another process holds the clinic's lock (sync_in_progress), or the
      // database went away. pg-boss delivers the job again with backoff, up to its retry limit.
      const lastDelivery = job.retryCount >= job.retryLimit;
      if (transient && !lastDelivery) {
        log.warn({ err: d, retryCount: job.retryCount }, 'sync could not start yet; its job will be retried with backoff');
        throw err;
      }
      if (await this.deps.audits.failActive(current.id, { code: d.code, message: `The sync could not start: ${d.message}` })) {
        this.deps.onRunEnded?.({ ...current, status: 'failed' });
      }
      log.error({ err: d }, 'sync could not start; marked failed');
      return;
    }
    if (current.status === 'in_progress') {
      // The orchestrator could not record its end (e.g. the database connection was lost).
      log.error({ err: errFields(err) }, 'sync stopped by an error it could not record');
      if (transient) await this.deps.recovery.recoverLost(current, `The sync stopped: ${d.message}`);
      else if (await this.deps.audits.failActive(current.id, { code: d.code, message: `The sync stopped: ${d.message}` })) this.deps.onRunEnded?.({ ...current, status: 'failed' });
      return;
    }
    if (d.code === 'sync_not_queued') {
      log.info({ status: current.status }, 'sync was no longer queued when its run began; nothing to do');
      return;
    }
    log.error({ err: errFields(err), status: current.status }, 'sync ended with an internal error');
    if (isEnded(current)) this.deps.onRunEnded?.(current);
    await this.afterEnd(current, entry, log, transient);
  }

  /**
   * After a sync ended: a run stopped by this process's shutdown is queued again; a transient
   * failure is retried as a new attempt after retryDelay * 2^(attempt-1) seconds, up to maxAttempts.
   */
  private async afterEnd(result: SyncAudit, entry: Running, log: ServiceLogger, transient: boolean): Promise<void> {
    const { maxAttempts, retryDelaySeconds } = this.deps.settings;
    try {
      if (entry.duringShutdown && result.status !== 'completed' && !result.cancelRequestedAt) {
        // Stopped (or broken, e.g. its browser closed) by this process's shutdown: run it again.
        const next = await this.deps.syncs.enqueueAttempt(result);
        log.info({ status: result.status, nextSyncId: next.id }, 'sync stopped by shutdown; queued again');
        return;
      }
      if (!transient || result.status !== 'failed') return;
      if (result.attempt >= maxAttempts) {
        log.error({ attempt: result.attempt, errorCode: result.errorCode }, 'sync failed transiently on its last attempt; not retried');
        return;
      }
      const delay = retryDelaySeconds * 2 ** (result.attempt - 1);
      const next = await this.deps.syncs.enqueueAttempt(result, { startAfterSeconds: delay });
      log.warn({ errorCode: result.errorCode, nextSyncId: next.id, attempt: next.attempt, delaySeconds: delay }, 'sync failed transiently; retry queued');
    } catch (e) {
      if (isAppError(e) && e.code === 'sync_in_progress') {
        log.info({ activeSyncId: e.details?.activeSyncId }, 'not queued again: the clinic already has another sync queued or running');
        return;
      }
      throw e;
    }
  }
}

const isEnded = (a: SyncAudit) => a.status !== 'queued' && a.status !== 'in_progress';

/** Audit error codes of a sync that failed for a passing reason (worth a retry). */
export const TRANSIENT_AUDIT_CODES = new Set(['pims_unavailable']);

const CONNECTION_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

/** Retryable AppErrors (PIMS unavailable, clinic lock busy, ...) and lost database connections. */
export function isTransientError(err: unknown): boolean {
  if (isAppError(err)) return err.retryable;
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && CONNECTION_ERRORS.has(e.code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(e.message ?? '');
}
