import type pg from 'pg';
import { DateTime } from 'luxon';
import { isAppError } from '@pims/util';
import { NightlySchedulesRepository, planDue, type DueNightlySchedule } from '@pims/sync-data-access';
import type { SyncService } from '../services/sync-service';
import { errFields, type ServiceLogger } from '../logger';

/** Advisory lock key of the dispatcher's leadership (one leader per tick across processes). */
const DISPATCH_LOCK = 727_102;

export interface DispatcherSettings {
  /** How often a worker process runs a tick (60: once a minute). */
  tickSeconds: number;
  /** Due clinics handled per transaction. */
  batchSize: number;
}

export interface TickResult {
  /** False when another process led this tick. */
  led: boolean;
  queued: number;
  missed: number;
  planned: number;
  /** Due runs left for the next tick because the clinic had a sync queued or running. */
  busy: number;
}

const fmt = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd HH:mm '('z')'");

/**
 * The nightly full syncs of every clinic (rule "Daily schedule"): every tick, one leader reads the
 * clinics whose next run is due from clinic_schedule_config (one indexed query: the cost with no
 * clinic due does not grow with the number of clinics), and for each one queues its full sync into
 * the run queue, records a run missed beyond the catch-up window, and plans the next run. The
 * queued audit, its job and the clinic's planning state commit in one transaction, so a run is
 * queued exactly once even when the leader dies mid-tick. A clinic whose sync is already queued or
 * running keeps its due run for the next tick (until the catch-up window ends), so a manual sync at
 * 02:00 does not eat the night's run.
 */
export class NightlyDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly repo: NightlySchedulesRepository;

  constructor(
    private readonly deps: {
      pool: pg.Pool;
      syncs: SyncService;
      /** The composition root's; one is made when left out (tests). */
      schedules?: NightlySchedulesRepository;
      logger: ServiceLogger;
      settings: DispatcherSettings;
      clock?: () => Date;
      /** Told of the nightly runs a committed batch recorded missed (the metrics). */
      onMissed?: (count: number) => void;
    },
  ) {
    this.repo = deps.schedules ?? new NightlySchedulesRepository();
  }

  start(): void {
    const run = () => {
      if (this.running) return;
      this.running = this.tick()
        .then((r) => {
          if (r.queued || r.missed || r.busy) this.deps.logger.info(r, 'nightly dispatcher tick');
          else if (r.planned) this.deps.logger.debug(r, 'nightly dispatcher tick');
        })
        .catch((err) => this.deps.logger.error({ err: errFields(err) }, 'nightly dispatcher tick failed'))
        .finally(() => {
          this.running = null;
        });
    };
    run();
    this.timer = setInterval(run, this.deps.settings.tickSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One tick at `now`: handles every due clinic, in transactions of batchSize clinics. */
  async tick(now: Date = (this.deps.clock ?? (() => new Date()))()): Promise<TickResult> {
    const total: TickResult = { led: false, queued: 0, missed: 0, planned: 0, busy: 0 };
    const busy: string[] = [];
    for (;;) {
      const r = await this.batch(now, busy);
      if (!r.led) return total;
      total.led = true;
      total.queued += r.queued;
      total.missed += r.missed;
      total.planned += r.planned;
      total.busy += r.busy;
      if (r.handled < this.deps.settings.batchSize) return total;
    }
  }

  private async batch(now: Date, busy: string[]): Promise<TickResult & { handled: number }> {
    const client = await this.deps.pool.connect();
    const r = { led: false, queued: 0, missed: 0, planned: 0, busy: 0, handled: 0 };
    try {
      await client.query('begin');
      if (!(await this.repo.tryLead(client, DISPATCH_LOCK))) {
        await client.query('rollback');
        return r;
      }
      r.led = true;
      const due = (await this.repo.lockDue(client, now, this.deps.settings.batchSize + busy.length)).filter((d) => !busy.includes(d.clinicId));
      for (const clinic of due.slice(0, this.deps.settings.batchSize)) {
        r.handled++;
        const outcome = await this.handle(client, clinic, now);
        r[outcome.kind]++;
        r.missed += outcome.missed;
        if (outcome.kind === 'busy') busy.push(clinic.clinicId);
      }
      await client.query('commit');
      if (r.missed > 0) this.deps.onMissed?.(r.missed);
      return r;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async handle(db: pg.PoolClient, clinic: DueNightlySchedule, now: Date): Promise<{ kind: 'queued' | 'planned' | 'busy'; missed: number }> {
    const log = this.deps.logger.child({ clinicId: clinic.clinicId });
    const plan = planDue({ cron: clinic.cron, zone: clinic.timezone, nextAt: clinic.nextSyncAt, now, catchUpHours: clinic.catchUpHours });
    if (plan.action === 'plan') {
      await this.repo.plan(db, clinic.clinicId, plan.nextAt);
      return { kind: 'planned', missed: 0 };
    }
    for (const m of plan.missed) {
      await this.repo.recordMissed(
        db,
        clinic.clinicId,
        m,
        `The nightly sync due at ${fmt(m, clinic.timezone)} was missed: no worker ran it within ${clinic.catchUpHours} hours of its time.`,
      );
      log.warn({ dueAt: m.toISOString() }, 'nightly sync missed');
    }
    if (plan.action === 'missed') {
      await this.repo.markHandled(db, clinic.clinicId, { dueAt: plan.missed[plan.missed.length - 1], outcome: 'missed', syncId: null, nextSyncAt: plan.nextAt });
      return { kind: 'planned', missed: plan.missed.length };
    }
    await db.query('savepoint nightly_enqueue');
    try {
      const audit = await this.deps.syncs.enqueue(
        {
          clinicId: clinic.clinicId,
          syncType: 'full',
          triggeredBy: 'schedule',
          // The day counts come from the clinic's config when the sync runs.
          options: { bidirectional: true, allowMassDelete: false, scheduledFor: plan.dueAt.toISOString() },
        },
        { db },
      );
      await db.query('release savepoint nightly_enqueue');
      await this.repo.markHandled(db, clinic.clinicId, { dueAt: plan.dueAt, outcome: 'queued', syncId: audit.id, nextSyncAt: plan.nextAt });
      return { kind: 'queued', missed: plan.missed.length };
    } catch (err) {
      await db.query('rollback to savepoint nightly_enqueue');
      if (isAppError(err) && err.code === 'sync_in_progress') {
        // Keep the due run (the misses before it are recorded): the next tick tries again.
        if (plan.missed.length) {
          await this.repo.markHandled(db, clinic.clinicId, { dueAt: plan.missed[plan.missed.length - 1], outcome: 'missed', syncId: null, nextSyncAt: plan.dueAt });
        }
        log.info({ activeSyncId: err.details?.activeSyncId }, 'nightly sync waits: the clinic has a sync queued or running');
        return { kind: 'busy', missed: plan.missed.length };
      }
      throw err;
    }
  }
}
