import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { withTransaction } from '@pims/db';
import { AppError } from '@pims/util';
import type { AuditsRepository } from '@pims/sync-data-access';
import type { SyncAudit, SyncType, TriggeredBy } from '@pims/sync-contracts';
import { inTransaction, RUN_QUEUE, type RunJobData } from '../queue/boss';
import type { ServiceLogger } from '../logger';
import type { RunEndedObserver } from '../metrics';

export interface SyncRequest {
  clinicId: string;
  syncType: SyncType;
  /** Stored as the audit's options; the orchestrator runs the phases with them. */
  options: Record<string, unknown>;
  triggeredBy: TriggeredBy;
  requestedBy?: string | null;
  /** A retry: the audit it follows and its attempt number. */
  retryOf?: string | null;
  attempt?: number;
  /** Delay before a worker may take the job (retry backoff). */
  startAfterSeconds?: number;
}

/**
 * Creating a sync: the queued audit row and its pg-boss job are written in one transaction, so a
 * failure to enqueue leaves no queued audit behind, and a 409 leaves no job. The job's id is the
 * audit's id. Which sync wins when two race is decided by the audits' partial unique index.
 */
export class SyncService {
  constructor(
    private readonly deps: {
      pool: pg.Pool;
      boss: PgBoss;
      audits: AuditsRepository;
      logger: ServiceLogger;
      jobExpireSeconds: number;
      /** Told of a sync cancelled before it started (the metrics). */
      onRunEnded?: RunEndedObserver;
    },
  ) {}

  /**
   * Queues a sync. With `opts.db` it writes on that connection, inside the caller's transaction
   * (the nightly dispatcher commits the audit, its job and the clinic's schedule state together).
   */
  async enqueue(req: SyncRequest, opts: { db?: pg.PoolClient } = {}): Promise<SyncAudit> {
    const { audits, boss } = this.deps;
    const write = async (client: pg.PoolClient) => {
      const created = await audits.createQueued(
        {
          clinicId: req.clinicId,
          syncType: req.syncType,
          options: req.options,
          triggeredBy: req.triggeredBy,
          requestedBy: req.requestedBy ?? null,
          retryOf: req.retryOf ?? null,
          attempt: req.attempt ?? 1,
        },
        client,
      );
      const data: RunJobData = { syncId: created.id, clinicId: created.clinicId };
      const jobId = await boss.send(RUN_QUEUE, data, {
        id: created.id,
        db: inTransaction(client),
        expireInSeconds: this.deps.jobExpireSeconds,
        ...(req.startAfterSeconds ? { startAfter: req.startAfterSeconds } : {}),
      });
      if (!jobId) throw new AppError('queue_unavailable', 'The sync could not be queued', { status: 503, retryable: true });
      return created;
    };
    const audit = opts.db ? await write(opts.db) : await withTransaction(this.deps.pool, write);
    this.deps.logger.info(
      {
        syncId: audit.id,
        clinicId: audit.clinicId,
        syncType: audit.syncType,
        triggeredBy: audit.triggeredBy,
        attempt: audit.attempt,
        retryOf: audit.retryOf,
        startAfterSeconds: req.startAfterSeconds ?? 0,
      },
      'sync queued',
    );
    return audit;
  }

  /** A new attempt of a sync that ended without finishing its work (lost worker, transient failure, shutdown). */
  async enqueueAttempt(previous: SyncAudit, opts: { startAfterSeconds?: number } = {}): Promise<SyncAudit> {
    return this.enqueue({
      clinicId: previous.clinicId,
      syncType: previous.syncType,
      options: previous.options,
      triggeredBy: previous.triggeredBy,
      requestedBy: previous.requestedBy,
      retryOf: previous.id,
      attempt: previous.attempt + 1,
      startAfterSeconds: opts.startAfterSeconds,
    });
  }

  /**
   * A queued sync is cancelled at once (and its job dropped); a running one is flagged and stops at
   * its next safe point.
   */
  async cancel(syncId: string): Promise<{ audit: SyncAudit; cancelRequested: boolean }> {
    const result = await this.deps.audits.requestCancel(syncId);
    if (result.audit.status === 'cancelled') {
      await this.deps.boss.cancel(RUN_QUEUE, syncId).catch(() => undefined);
      // Cancelled before it started (a started run is told by the worker that ends it).
      if (!result.audit.startedAt) this.deps.onRunEnded?.(result.audit);
    }
    this.deps.logger.info({ syncId, clinicId: result.audit.clinicId, status: result.audit.status }, 'sync cancel requested');
    return result;
  }
}
