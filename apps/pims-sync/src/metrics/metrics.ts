import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PimsRequestEvent, PimsRequestObserver } from '@pims/pims';
import { SYNC_TYPES, type SyncAudit } from '@pims/sync-contracts';
import type { BookingEvent, WriteBackOutcome } from '@pims/sync-data-access';
import { errFields, type ServiceLogger } from '../logger';
import { readLastSuccess, readQueues } from './database-gauges';
import { BOOKING_CHANGES, BOOKING_EVENT_SOURCES, label, QUEUE_LABELS, RUN_END_STATUSES, WRITE_BACK_ACTIONS, WRITE_BACK_OUTCOMES } from './labels';

/** A sync run as the run counter needs it (the final audit). */
export type EndedRun = Pick<SyncAudit, 'syncType' | 'status' | 'phases'>;

/** Told when a sync run ends, wherever it ends (worker, recovery, a cancel before it started). */
export type RunEndedObserver = (run: EndedRun) => void;

export interface MetricsOptions {
  /** The pool the scrape-time gauges (queues, last success) read through; without it they are left out. */
  pool?: pg.Pool;
  logger?: ServiceLogger;
  /** Node's own process metrics (process_*, nodejs_*): on in a service process, off in tests. */
  processMetrics?: boolean;
}

/** Phases run from under a second (an empty window) to an hour (a large clinic's case enrichment). */
const PHASE_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** One HTTP exchange with a PIMS: tens of milliseconds to a request timeout (30 s). */
const REQUEST_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The Prometheus metrics of one pims-sync process (CONTRACT: GET /metrics). Counters and histograms
 * count what this process did, so Prometheus scrapes every process and sums; the gauges read from
 * the database at scrape time (queues, last success) say the same in every process (take max).
 * Every label value goes through labels.ts: ids and enum words only.
 *
 * The domain knows nothing of this: it tells plain callbacks (BookingService onEvent,
 * WriteBackService onOutcome, the port's PimsRequestObserver), which the composition root points here.
 */
export class PimsSyncMetrics {
  readonly registry = new Registry();
  private readonly runs: Counter<'type' | 'status'>;
  private readonly missed: Counter;
  private readonly phaseSeconds: Histogram<'phase' | 'status'>;
  private readonly requests: Counter<'provider' | 'endpoint' | 'outcome'>;
  private readonly requestSeconds: Histogram<'provider' | 'endpoint'>;
  private readonly bookings: Counter<'source' | 'status'>;
  private readonly writeBacks: Counter<'status' | 'action'>;
  private readonly queueDepth: Gauge<'queue'>;
  private readonly queueDeferred: Gauge<'queue'>;
  private readonly oldestQueued: Gauge<'queue'>;
  private readonly lastSuccess: Gauge<'clinic_id'>;
  private readonly scrapeErrors: Counter<'source'>;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly opts: MetricsOptions = {}) {
    const registers = [this.registry];
    this.runs = new Counter({
      name: 'pims_sync_runs_total',
      help: 'Sync runs that ended, by sync type and final status (completed, partial, failed, cancelled; a sync cancelled before it started counts as cancelled).',
      labelNames: ['type', 'status'],
      registers,
    });
    this.missed = new Counter({
      name: 'pims_sync_nightly_missed_total',
      help: "Nightly runs recorded missed (no worker took them within the clinic's catch-up window; the Sync History shows each as a failed scheduled sync, schedule_missed), counted by the dispatcher that recorded them.",
      registers,
    });
    this.phaseSeconds = new Histogram({
      name: 'pims_sync_phase_duration_seconds',
      help: 'How long each phase of an ended sync ran, by phase and the phase status (completed, failed, held, cancelled); skipped phases are left out.',
      labelNames: ['phase', 'status'],
      buckets: PHASE_BUCKETS,
      registers,
    });
    this.requests = new Counter({
      name: 'pims_requests_total',
      help: "HTTP exchanges with a PIMS, by provider, the PIMS's endpoint word and outcome (ok, error, rate_limited, auth_failed, not_found); each retry is an exchange of its own.",
      labelNames: ['provider', 'endpoint', 'outcome'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'pims_request_duration_seconds',
      help: 'How long one HTTP exchange with a PIMS took, by provider and endpoint word.',
      labelNames: ['provider', 'endpoint'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.bookings = new Counter({
      name: 'pims_bookings_total',
      help: 'Booking changes that committed, by source (voice, api, admin; none for a hold) and status (held, confirmed, cancelled, rescheduled; unavailable: refused, the slot had no free seat).',
      labelNames: ['source', 'status'],
      registers,
    });
    this.writeBacks = new Counter({
      name: 'pims_write_back_total',
      help: "Write-back attempts that ended, by status (written, conflict, needs_review, failed: the booking's write-back settled so; retry: a passing failure, tried again) and action (create, cancel).",
      labelNames: ['status', 'action'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'pims_sync_queue_depth',
      help: 'Jobs due and waiting for a worker, read from the database at scrape time: queue sync_on_demand (syncs asked for by an admin or the API), sync_scheduled (nightly syncs), write_back (bookings to write into the PIMS). The same in every process.',
      labelNames: ['queue'],
      registers,
    });
    this.queueDeferred = new Gauge({
      name: 'pims_sync_queue_deferred',
      help: "Jobs waiting to start later (a retry's backoff, a delayed attempt), by queue as pims_sync_queue_depth.",
      labelNames: ['queue'],
      registers,
    });
    this.oldestQueued = new Gauge({
      name: 'pims_sync_oldest_queued_seconds',
      help: 'Seconds the longest-waiting due job of the queue has waited for a worker since it became due (0 when none waits), by queue as pims_sync_queue_depth. Nightly syncs are all due at once, so sync_scheduled waits longer by design.',
      labelNames: ['queue'],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'pims_sync_last_success_timestamp_seconds',
      help: "Unix time of each clinic's newest completed sync (or of the clinic's creation while none ever completed), for every clinic with nightly sync on; read from the database at scrape time.",
      labelNames: ['clinic_id'],
      registers,
    });
    this.scrapeErrors = new Counter({
      name: 'pims_metrics_scrape_errors_total',
      help: 'Scrapes whose database readings failed (those gauges are left out of that scrape), by reading (queues, last_success).',
      labelNames: ['source'],
      registers,
    });
    // Every series an alert or a rate() reads exists from the start, at 0.
    for (const type of SYNC_TYPES) for (const status of RUN_END_STATUSES) this.runs.labels(type, status);
    for (const source of BOOKING_EVENT_SOURCES) for (const status of BOOKING_CHANGES) this.bookings.labels(source, status);
    for (const status of WRITE_BACK_OUTCOMES) for (const action of WRITE_BACK_ACTIONS) this.writeBacks.labels(status, action);
    for (const source of ['queues', 'last_success']) this.scrapeErrors.labels(source);
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The Content-Type of render()'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** A sync run ended: counted by type and status, each phase that ran timed. */
  readonly runEnded: RunEndedObserver = (run) => {
    this.runs.inc({ type: label.syncType(run.syncType), status: label.runStatus(run.status) });
    for (const phase of run.phases ?? []) {
      if (!phase.startedAt || !phase.completedAt) continue;
      const seconds = (Date.parse(phase.completedAt) - Date.parse(phase.startedAt)) / 1000;
      if (!Number.isFinite(seconds) || seconds < 0) continue;
      this.phaseSeconds.observe({ phase: label.phase(phase.name), status: label.phaseStatus(phase.status) }, seconds);
    }
  };

  /** The nightly dispatcher's onMissed. */
  readonly nightlyMissed = (count: number): void => {
    if (Number.isInteger(count) && count > 0) this.missed.inc(count);
  };

  /** The port's request observer: give it to every PIMS provider of the process. */
  readonly observePimsRequest: PimsRequestObserver = (e: PimsRequestEvent) => {
    const provider = label.provider(e?.provider);
    const endpoint = label.endpoint(provider, e?.endpoint);
    this.requests.inc({ provider, endpoint, outcome: label.outcome(e?.outcome) });
    if (typeof e?.durationMs === 'number' && Number.isFinite(e.durationMs) && e.durationMs >= 0) {
      this.requestSeconds.observe({ provider, endpoint }, e.durationMs / 1000);
    }
  };

  /** BookingService's onEvent. */
  readonly bookingEvent = (e: BookingEvent): void => {
    this.bookings.inc({ source: label.bookingSource(e.source), status: label.bookingChange(e.change) });
  };

  /** WriteBackService's onOutcome. */
  readonly writeBackOutcome = (e: WriteBackOutcome): void => {
    this.writeBacks.inc({ status: label.writeBackOutcome(e.status), action: label.writeBackAction(e.action) });
  };

  /**
   * The Prometheus text: the database gauges read afresh (two statements, one after the other;
   * scrapes that arrive together share one reading), then every metric.
   */
  async render(): Promise<string> {
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    await this.refreshing;
    return this.registry.metrics();
  }

  private async refresh(): Promise<void> {
    const pool = this.opts.pool;
    if (!pool) return;
    try {
      const readings = await readQueues(pool);
      for (const queue of QUEUE_LABELS) {
        const r = readings.find((x) => x.queue === queue);
        this.queueDepth.set({ queue }, r?.due ?? 0);
        this.queueDeferred.set({ queue }, r?.deferred ?? 0);
        this.oldestQueued.set({ queue }, r?.oldestSeconds ?? 0);
      }
    } catch (err) {
      this.queueDepth.reset();
      this.queueDeferred.reset();
      this.oldestQueued.reset();
      this.failed('queues', err);
    }
    try {
      const readings = await readLastSuccess(pool);
      this.lastSuccess.reset();
      for (const r of readings) {
        const clinicId = label.clinicId(r.clinicId);
        if (clinicId) this.lastSuccess.set({ clinic_id: clinicId }, r.at);
      }
    } catch (err) {
      this.lastSuccess.reset();
      this.failed('last_success', err);
    }
  }

  private failed(source: 'queues' | 'last_success', err: unknown): void {
    this.scrapeErrors.inc({ source });
    this.opts.logger?.warn({ err: errFields(err), reading: source }, 'metrics: a database reading failed; its gauges are left out of this scrape');
  }
}
