import { isAppError } from '@pims/util';
import type { AuditsRepository } from '@pims/sync-data-access';
import type { SyncAudit } from '@pims/sync-contracts';
import type { SyncService } from '../services/sync-service';
import { errFields, type ServiceLogger } from '../logger';
import type { RunEndedObserver } from '../metrics';
import type { RunJob, RunLeases } from './run-lease';

export interface RecoverySettings {
  maxAttempts: number;
  staleSeconds: number;
  sweepSeconds: number;
}

export interface Recovered {
  /** How the lost sync ended: failed (worker_lost), or cancelled when a cancel had been requested. */
  ended: 'failed' | 'cancelled';
  /** The new attempt, if one was queued. */
  next: SyncAudit | null;
}

/**
 * Worker-lost recovery. A sync whose worker died is marked `failed` with error code `worker_lost`
 * (guarded: only the first process to see it does so), and a NEW queued audit is created for the
 * same clinic, type and options with `retryOf` = the lost audit and `attempt` + 1 (until
 * maxAttempts). The new audit has a job of its own, so any worker runs it. A lost sync whose
 * cancel had been requested ends `cancelled` instead, and is not run again.
 *
 * A run is dead when no session holds its run lease (Postgres drops the lease with the process or
 * connection). Whoever recovers a sync holds its lease while doing so: no worker can start it
 * meanwhile (a worker takes the lease before it reads the audit), so "free lease, still queued or
 * in progress" is decided by the database, not by a check that could be overtaken.
 *
 * Three paths lead here: pg-boss delivering the job again after it expired, a worker whose run
 * stopped on an error it could not record, and the periodic sweep below.
 */
export class Recovery {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      audits: AuditsRepository;
      leases: RunLeases;
      syncs: SyncService;
      logger: ServiceLogger;
      settings: RecoverySettings;
      /** Told of every lost run this process ended (the metrics). */
      onRunEnded?: RunEndedObserver;
    },
  ) {}

  /**
   * Ends a dead run (the caller holds its lease) and queues its next attempt, unless a cancel was
   * requested or it was the last attempt. Null when it had already ended.
   */
  async recoverLost(audit: SyncAudit, reason: string): Promise<Recovered | null> {
    const { audits, syncs, settings } = this.deps;
    const log = this.deps.logger.child({ syncId: audit.id, clinicId: audit.clinicId });
    const ended = await audits.markLost(audit.id, reason);
    if (!ended) return null; // it finished meanwhile, or another process recovered it first
    this.deps.onRunEnded?.({ syncType: audit.syncType, status: ended, phases: [] });
    if (ended === 'cancelled') {
      log.warn({ attempt: audit.attempt, reason }, 'sync lost its worker after a cancel was requested; ended cancelled, not run again');
      return { ended, next: null };
    }
    log.warn({ attempt: audit.attempt, reason }, 'sync lost its worker; marked failed (worker_lost)');
    if (audit.attempt >= settings.maxAttempts) {
      log.error({ attempt: audit.attempt, maxAttempts: settings.maxAttempts }, 'sync lost on its last attempt; not retried');
      return { ended, next: null };
    }
    try {
      const next = await syncs.enqueueAttempt(audit);
      log.info({ nextSyncId: next.id, attempt: next.attempt }, 'lost sync queued again as a new attempt');
      return { ended, next };
    } catch (err) {
      if (isAppError(err) && err.code === 'sync_in_progress') {
        log.info({ activeSyncId: err.details?.activeSyncId }, 'lost sync not queued again: the clinic already has a sync queued or running');
        return { ended, next: null };
      }
      throw err;
    }
  }

  /**
   * One sweep. Two kinds of sync may have lost their worker:
   *   - running ones (every in_progress audit; those whose heartbeat is older than staleSeconds
   *     are also reported when their worker is alive);
   *   - queued ones older than staleSeconds whose job no worker will deliver: taken by a worker
   *     (active) more than staleSeconds ago, ended (completed, failed, cancelled), or gone. A live
   *     worker takes the lease within moments of taking the job, so a job that has been active
   *     that long with a free lease was taken by a process that died before it started the sync.
   *     Queued syncs whose job waits (created, retry: maybe a backoff) are left to pg-boss.
   * Each is recovered if its lease is free. Returns how many were recovered.
   */
  async sweep(): Promise<number> {
    const { audits, leases, settings } = this.deps;
    const staleIds = new Set((await audits.findStale(settings.staleSeconds)).map((a) => a.id));
    const running = (await audits.findActive()).filter((a) => a.status === 'in_progress');
    const queued = await audits.findQueuedOlderThan(settings.staleSeconds);
    const jobs = await leases.jobsOf(queued.map((a) => a.id));
    let recovered = 0;
    for (const audit of running) {
      const stale = staleIds.has(audit.id);
      const staleNote = stale ? ` (no heartbeat for over ${settings.staleSeconds}s)` : '';
      if (await this.recoverIfFree(audit, `The worker running this sync stopped before it finished${staleNote}`, stale)) recovered++;
    }
    for (const audit of queued) {
      const reason = orphanReason(jobs.get(audit.id), settings.staleSeconds);
      if (reason && (await this.recoverIfFree(audit, reason))) recovered++;
    }
    return recovered;
  }

  /** Takes the sync's lease (null: its run is alive), re-reads it and recovers it if it is still in the status it was seen in. */
  private async recoverIfFree(seen: SyncAudit, reason: string, stale = false): Promise<boolean> {
    const { audits, leases, settings } = this.deps;
    const lease = await leases.acquire(seen.id);
    if (!lease) {
      if (stale) {
        this.deps.logger.warn(
          { syncId: seen.id, clinicId: seen.clinicId, staleSeconds: settings.staleSeconds },
          'running sync has recorded no progress for a while, but its worker is alive; left running',
        );
      }
      return false;
    }
    try {
      const current = await audits.findById(seen.id);
      if (!current || current.status !== seen.status) return false; // it moved on meanwhile
      return (await this.recoverLost(current, reason)) !== null;
    } finally {
      await lease.release();
    }
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      if (this.sweeping) return;
      this.sweeping = this.sweep()
        .then(() => undefined)
        .catch((err) => {
          this.deps.logger.error({ err: errFields(err) }, 'recovery sweep failed');
        })
        .finally(() => {
          this.sweeping = null;
        });
    };
    this.timer = setInterval(tick, this.deps.settings.sweepSeconds * 1000);
    this.timer.unref();
    setImmediate(tick);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }
}

/**
 * Why a queued sync's job will not run it (it was lost), or null while its job still waits for a
 * worker. The sync itself is older than staleSeconds (the caller's listing).
 */
export function orphanReason(job: RunJob | undefined, staleSeconds: number): string | null {
  if (!job) return 'Its job is gone: no worker will run this sync';
  switch (job.state) {
    case 'created':
    case 'retry':
      return null;
    case 'active':
      return (job.activeForSeconds ?? 0) > staleSeconds
        ? `The worker that took this sync stopped before it started (its job was taken over ${staleSeconds}s ago)`
        : null;
    default:
      return `Its job ended (${job.state}) without running this sync`;
  }
}
