import type PgBoss from 'pg-boss';
import type pg from 'pg';
import { isAppError } from '@pims/util';
import type { ClinicRecord, ClinicsRepository } from '@pims/sync-data-access';
import type { SyncService } from '../services/sync-service';
import { errFields, type ServiceLogger } from '../logger';
import { DAILY_QUEUE_PREFIX, ensureQueue, retryOnLockConflict } from './boss';

export const DEFAULT_SYNC_CRON = '0 2 * * *';

interface DailyJobData {
  clinicId: string;
}

export function dailyQueueName(clinicId: string): string {
  return `${DAILY_QUEUE_PREFIX}${clinicId}`;
}

export interface ScheduleSettings {
  /** Run the consumers of the daily queues in this process (worker role). */
  consume: boolean;
  pollSeconds: number;
  refreshSeconds: number;
}

/**
 * The nightly full sync of every clinic, as pg-boss cron schedules: one schedule per clinic, named
 * by its own queue (pg-boss 10 keys schedules by queue name), with the clinic's cron
 * (clinic_schedule_config.sync_cron, default 02:00) in the clinic's time zone. pg-boss fires a cron
 * at most once per minute across all processes, and only within the minute it is due, so a missed
 * run is never run twice (nor late). A fired job creates a full sync triggered_by 'schedule'; when
 * the clinic already has a sync queued or running, the run is skipped.
 *
 * A clinic's schedule is written when the clinic is created and reconciled at start-up and every
 * refreshSeconds (so worker processes start consuming clinics another process created).
 */
export class ClinicSchedules {
  private readonly consumers = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      boss: PgBoss;
      pool: pg.Pool;
      clinics: ClinicsRepository;
      syncs: SyncService;
      logger: ServiceLogger;
      settings: ScheduleSettings;
    },
  ) {}

  /** Writes (or updates) a clinic's schedule; starts consuming it when this process is a worker. */
  async ensure(clinic: ClinicRecord): Promise<void> {
    const { boss } = this.deps;
    const name = dailyQueueName(clinic.id);
    const cron = clinic.schedule?.syncCron || DEFAULT_SYNC_CRON;
    const tz = clinic.timezone;
    await ensureQueue(boss, this.deps.pool, { name, policy: 'standard', retryLimit: 2, retryDelay: 30, expireInSeconds: 300 });
    await retryOnLockConflict(() => boss.schedule(name, cron, { clinicId: clinic.id } satisfies DailyJobData, { tz }));
    if (this.deps.settings.consume && !this.consumers.has(clinic.id)) {
      const id = await boss.work<DailyJobData>(name, { batchSize: 1, pollingIntervalSeconds: this.deps.settings.pollSeconds }, async (jobs) => {
        for (const job of jobs) await this.onDailyJob(job.data.clinicId);
      });
      this.consumers.set(clinic.id, id);
    }
  }

  /** Brings the schedules in line with the clinics table (new clinics, changed crons, removed clinics). */
  async reconcile(): Promise<void> {
    const { boss, clinics, logger } = this.deps;
    const all = await clinics.list();
    const ids = new Set(all.map((c) => c.id));
    for (const clinic of all) {
      try {
        await this.ensure(clinic);
      } catch (err) {
        logger.error({ clinicId: clinic.id, err: errFields(err) }, 'could not schedule the clinic daily sync');
      }
    }
    for (const s of await boss.getSchedules()) {
      if (!s.name.startsWith(DAILY_QUEUE_PREFIX)) continue;
      const clinicId = s.name.slice(DAILY_QUEUE_PREFIX.length);
      if (ids.has(clinicId)) continue;
      await boss.unschedule(s.name);
      const consumer = this.consumers.get(clinicId);
      if (consumer) await boss.offWork({ id: consumer });
      this.consumers.delete(clinicId);
      logger.info({ clinicId }, 'daily sync unscheduled: the clinic is gone');
    }
  }

  /** Reconciles now and then every refreshSeconds. */
  async start(): Promise<void> {
    await this.reconcile();
    this.timer = setInterval(() => {
      if (this.refreshing) return;
      this.refreshing = this.reconcile()
        .catch((err) => this.deps.logger.error({ err: errFields(err) }, 'schedule refresh failed'))
        .finally(() => {
          this.refreshing = null;
        });
    }, this.deps.settings.refreshSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.refreshing;
    for (const id of this.consumers.values()) await this.deps.boss.offWork({ id });
    this.consumers.clear();
  }

  /** A daily run is due: queue the clinic's full sync, unless one is already queued or running. */
  async onDailyJob(clinicId: string): Promise<void> {
    const log = this.deps.logger.child({ clinicId });
    const clinic = await this.deps.clinics.findById(clinicId);
    if (!clinic) {
      log.warn('daily sync for a clinic that no longer exists; skipped');
      return;
    }
    try {
      await this.deps.syncs.enqueue({
        clinicId,
        syncType: 'full',
        triggeredBy: 'schedule',
        // The day counts come from the clinic's config when the sync runs.
        options: { bidirectional: true, allowMassDelete: false },
      });
    } catch (err) {
      if (isAppError(err) && err.code === 'sync_in_progress') {
        log.info({ activeSyncId: err.details?.activeSyncId }, 'daily sync skipped: the clinic already has a sync queued or running');
        return;
      }
      throw err;
    }
  }
}
