import { isAppError } from '@pims/util';
import type { AuditsRepository } from '@pims/sync-data-access';
import type { SyncAudit } from '@pims/sync-contracts';
import type { SyncService } from '../services/sync-service';
import { errFields, type ServiceLogger } from '../logger';
import type { RunLeases } from './run-lease';

export interface RecoverySettings {
  maxAttempts: number;
  staleSeconds: number;
  sweepSeconds: number;
}

/**
 * Worker-lost recovery. A running sync whose worker died is marked `failed` with error code
 * `worker_lost` (guarded: only the first process to see it does so), and a NEW queued audit is
 * created for the same clinic, type and options with `retryOf` = the lost audit and
 * `attempt` + 1 (until maxAttempts). The new audit has a job of its own, so any worker runs it.
 *
 * A run is dead when no session holds its run lease (Postgres drops the lease with the process or
 * connection). Two paths lead here: pg-boss delivering the job again after it expired, and the
 * periodic sweep below.
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
    },
  ) {}

  /** Marks a dead run lost and queues its next attempt. Returns the new audit, if one was queued. */
  async recoverLost(audit: SyncAudit, reason: string): Promise<SyncAudit | null> {
    const { audits, syncs, settings } = this.deps;
    const log = this.deps.logger.child({ syncId: audit.id, clinicId: audit.clinicId });
    const marked = await audits.markLost(audit.id, reason);
    if (!marked) return null; // it finished meanwhile, or another process recovered it first
    log.warn({ attempt: audit.attempt, reason }, 'sync lost its worker; marked failed (worker_lost)');
    if (audit.attempt >= settings.maxAttempts) {
      log.error({ attempt: audit.attempt, maxAttempts: settings.maxAttempts }, 'sync lost on its last attempt; not retried');
      return null;
    }
    try {
      const next = await syncs.enqueueAttempt(audit);
      log.info({ nextSyncId: next.id, attempt: next.attempt }, 'lost sync queued again as a new attempt');
      return next;
    } catch (err) {
      if (isAppError(err) && err.code === 'sync_in_progress') {
        log.info({ activeSyncId: err.details?.activeSyncId }, 'lost sync not queued again: the clinic already has a sync queued or running');
        return null;
      }
      throw err;
    }
  }

  /**
   * One sweep: running syncs whose heartbeat is older than staleSeconds, plus any running sync at
   * all, are checked against their run lease; the ones nobody holds are recovered.
   */
  async sweep(): Promise<number> {
    const { audits, leases } = this.deps;
    const stale = await audits.findStale(this.deps.settings.staleSeconds);
    const running = (await audits.findActive()).filter((a) => a.status === 'in_progress');
    const byId = new Map<string, SyncAudit>();
    for (const a of [...stale, ...running]) byId.set(a.id, a);
    let recovered = 0;
    for (const audit of byId.values()) {
      if (await leases.isHeld(audit.id)) {
        if (stale.some((s) => s.id === audit.id)) {
          this.deps.logger.warn(
            { syncId: audit.id, clinicId: audit.clinicId, staleSeconds: this.deps.settings.staleSeconds },
            'running sync has recorded no progress for a while, but its worker is alive; left running',
          );
        }
        continue;
      }
      // Re-read: the run may have finished between the listing and the lease check.
      const current = await audits.findById(audit.id);
      if (current?.status !== 'in_progress') continue;
      if (await leases.isHeld(audit.id)) continue;
      const staleNote = stale.some((s) => s.id === audit.id) ? ` (no heartbeat for over ${this.deps.settings.staleSeconds}s)` : '';
      if (await this.recoverLost(current, `The worker running this sync stopped before it finished${staleNote}`)) recovered++;
    }
    return recovered;
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
