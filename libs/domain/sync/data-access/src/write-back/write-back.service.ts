import type { CountryCode } from 'libphonenumber-js';
import { withTransaction, type Pool, type PoolClient } from '@pims/db';
import { isPimsError, requireWrites, type PimsRegistry, type PimsScheduleConfig, type PimsSession } from '@pims/pims';
import { AppError, describeError, isAppError, noopLogger, type Logger } from '@pims/util';
import type { BookingView, WriteBackStatus } from '@pims/sync-contracts';
import type { BookingHooks } from '../bookings/booking.service';
import { isUuid } from '../bookings/booking-input';
import { phoneRegionForTimeZone } from '../bookings/phone';
import { BookingsRepository } from '../repositories/bookings.repository';
import type { ClinicsRepository } from '../repositories/clinics.repository';
import { WriteBackRepository, type BookingExpectation, type OutboxRow, type WriteBackAction, type WriteBackBooking } from '../repositories/write-back.repository';
import { PimsSessionPool } from '../services/pims-session-pool';
import { writeCancel, writeCreate, type PassContext } from './pims-steps';
import { SharedPimsSessions, type BorrowedSession } from './shared-sessions';
import { tryBookingLease } from './write-back-lease';

/** A job of the write-back queue: deliver one outbox row (the worker writes its booking). */
export interface WriteBackJob {
  jobId: string;
  outboxId: string;
  bookingId: string;
  clinicId: string;
}

/** The queue the app gives the domain: a job sent inside the caller's transaction (it commits or rolls back with it). */
export interface WriteBackQueue {
  send(tx: PoolClient, job: WriteBackJob): Promise<void>;
}

/** A queue job's state as the sweep needs it (pg-boss's states). */
export interface QueueJobState {
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  /** Seconds since a worker took it, or null when never taken. */
  activeForSeconds: number | null;
}

/** Attempts of one write-back (the first and its retries) before it ends `failed`. */
export const WRITE_BACK_MAX_ATTEMPTS = 8;

export type WriteBackResult =
  /** Nothing open for the booking. */
  | { kind: 'idle' }
  /** Another worker holds the booking's lease (its write is running): deliver the job again later. */
  | { kind: 'busy' }
  /** Its open rows settled: the booking's write-back status now. */
  | { kind: 'settled'; status: WriteBackStatus | null; booking: WriteBackBooking }
  /** A passing failure, recorded; deliver the job again later (with backoff). */
  | { kind: 'retry'; attempts: number; error: { code: string; message: string } };

/**
 * One attempt's end, for counters: the write-back status it settled in (written, conflict, failed,
 * needs_review), or `retry` for a passing failure that is tried again. A cancel with nothing in the
 * PIMS to cancel is not told (nothing was written).
 */
export interface WriteBackOutcome {
  status: WriteBackStatus | 'retry';
  action: WriteBackAction;
  clinicId: string;
}

export interface WriteBackServiceOptions {
  pool: Pool;
  /** The PIMS providers (each clinic written through the one its pims_provider names). */
  registry: PimsRegistry;
  clinics: ClinicsRepository;
  /** Where job sends go (inside the booking change's transaction). */
  queue: WriteBackQueue;
  /** The sync's pool of logged-in sessions (a write-back after a sync reuses its session). */
  sessions?: PimsSessionPool;
  repository?: WriteBackRepository;
  bookings?: BookingsRepository;
  logger?: Logger;
  maxAttempts?: number;
  /** Told of every attempt's end (after it is recorded); must not throw. */
  onOutcome?: (outcome: WriteBackOutcome) => void;
}

/** Errors no retry can mend: the write-back ends failed at once (an admin retries it after the cause is fixed). */
const PERMANENT = new Set(['pims_auth_failed', 'pims_mfa_required', 'pims_write_unsupported', 'pims_provider_unknown', 'invalid_input', 'clinic_not_found']);
/** Passes of one delivery: a booking changed by a cancel or a reschedule while it was written is handled in the same delivery. */
const MAX_PASSES = 4;
const SET_UP_TTL_MS = 10 * 60_000;

/**
 * Write-back: every confirmed booking becomes exactly one appointment in the clinic's PIMS, in the
 * background. A booking change that needs a PIMS write adds an outbox row and its queue job in the
 * change's own transaction (`hooks`, given to BookingService). A worker's delivery (`process`) takes
 * the booking's lease (one writer per booking across every process), settles every open row of the
 * booking, and moves its write-back state only by guarded updates. Nothing ever writes a second
 * appointment for a booking: each step is recorded before the next, the create is idempotent in the
 * port (found by the booking's reference before it is sent again), and a retry looks for the
 * booking's appointment before it checks or books anything.
 */
export class WriteBackService {
  readonly repository: WriteBackRepository;
  private readonly pool: Pool;
  private readonly bookings: BookingsRepository;
  private readonly logger: Logger;
  private readonly maxAttempts: number;
  private readonly sessions: SharedPimsSessions;
  private readonly setUps = new WeakMap<PimsSession, { at: number; config: Promise<PimsScheduleConfig> }>();

  constructor(private readonly opts: WriteBackServiceOptions) {
    this.pool = opts.pool;
    this.repository = opts.repository ?? new WriteBackRepository(opts.pool);
    this.bookings = opts.bookings ?? new BookingsRepository(opts.pool);
    this.logger = opts.logger ?? noopLogger;
    this.maxAttempts = opts.maxAttempts ?? WRITE_BACK_MAX_ATTEMPTS;
    this.sessions = new SharedPimsSessions(opts.sessions ?? new PimsSessionPool());
  }

  /** The hooks BookingService runs in each booking change's transaction. */
  get hooks(): BookingHooks {
    return {
      onConfirmed: async (tx, booking) => {
        await this.enqueue(tx, booking.id, 'create');
      },
      onCancelled: (tx, booking) => this.onCancelled(tx, booking),
      onRescheduled: async (tx, booking) => {
        // The move set the write-back pending again; the appointment it had is now the one to replace.
        await this.repository.markReplaced(tx, booking.id);
        await this.enqueue(tx, booking.id, 'create');
      },
    };
  }

  /** An outbox row and its job, in the caller's transaction. */
  async enqueue(tx: PoolClient, bookingId: string, action: WriteBackAction): Promise<OutboxRow> {
    const row = await this.repository.insertOutbox(tx, bookingId, action);
    await this.opts.queue.send(tx, jobOf(row));
    return row;
  }

  /**
   * A cancelled booking: when the PIMS may hold its appointment (one is recorded, or a patient was,
   * which happens before any create is sent), its write-back starts again as a cancel; otherwise the
   * pending create is dropped (never written) and there is nothing to write.
   */
  private async onCancelled(tx: PoolClient, view: BookingView): Promise<BookingView> {
    if (view.writeBack.status === null) return view; // a released hold
    const b = await this.repository.lockBooking(tx, view.id);
    if (!b) return view;
    const touched = b.pimsAppointmentId !== null || b.replacedAppointmentId !== null || b.pimsPatientId !== null;
    let now: WriteBackBooking | null;
    if (touched) {
      now = await this.repository.reopenForCancel(tx, b.id);
      await this.enqueue(tx, b.id, 'cancel');
    } else {
      now = await this.repository.clearForCancel(tx, b.id);
      await this.repository.settleOpen(tx, b.id, 'dropped');
    }
    if (!now) return view;
    return { ...view, writeBack: { status: now.writeBackStatus, pimsAppointmentId: now.pimsAppointmentId, error: now.error, attempts: now.attempts } };
  }

  /**
   * An admin's retry of a write-back that ended `failed`: failed -> pending with a fresh budget and a
   * new outbox row (a create, or the cancel of a cancelled booking) and its job, in one transaction.
   * 404 booking_not_found; 409 write_back_not_failed when it is not failed.
   */
  async retry(bookingId: string): Promise<BookingView> {
    if (!isUuid(bookingId)) throw bookingNotFound();
    const view = await withTransaction(this.pool, async (tx) => {
      const b = await this.repository.retryFailed(tx, bookingId);
      if (!b) {
        const found = await this.repository.findBooking(tx, bookingId);
        if (!found) throw bookingNotFound();
        throw new AppError('write_back_not_failed', `The write-back is ${found.writeBackStatus ?? 'not needed'}, not failed`, {
          status: 409,
          details: { writeBackStatus: found.writeBackStatus },
        });
      }
      await this.enqueue(tx, bookingId, b.status === 'cancelled' ? 'cancel' : 'create');
      return (await this.bookings.findById(tx, bookingId, null))!.view;
    });
    this.logger.info({ bookingId, clinicId: view.clinicId }, 'write-back retry queued');
    return view;
  }

  /**
   * One delivery of a booking's write-back (what a queue job runs). Busy when another worker holds
   * the booking; otherwise every open row of the booking is settled under its lease, or a passing
   * failure is recorded (retry).
   */
  async process(bookingId: string): Promise<WriteBackResult> {
    if (!isUuid(bookingId)) return { kind: 'idle' };
    const lease = await tryBookingLease(this.pool, bookingId);
    if (!lease) return { kind: 'busy' };
    let borrowed: { borrowed: BorrowedSession; region: CountryCode } | null = null;
    let badSession = false;
    try {
      let last: WriteBackResult = { kind: 'idle' };
      for (let pass = 1; pass <= MAX_PASSES; pass++) {
        const rows = await this.repository.unprocessed(this.pool, bookingId);
        if (rows.length === 0) return last;
        const rowIds = rows.map((r) => r.id);
        const b = await this.repository.findBooking(this.pool, bookingId);
        if (!b) return { kind: 'idle' };
        if (b.writeBackStatus !== 'pending' || (b.status !== 'confirmed' && b.status !== 'cancelled')) {
          // Settled by an earlier delivery: nothing (more) to write for these rows.
          await this.repository.markProcessed(this.pool, rowIds, 'dropped');
          last = { kind: 'settled', status: b.writeBackStatus, booking: b };
          continue;
        }
        const current = await this.repository.startAttempt(this.pool, bookingId);
        if (!current) continue; // changed meanwhile: read it again
        const log = this.logger.child({ bookingId, clinicId: current.clinicId, attempt: current.attempts, action: actionOf(current) });
        try {
          borrowed ??= await this.borrow(current.clinicId);
          const ctx = this.passContext(borrowed.borrowed.session, borrowed.region, rowIds, lease);
          const r = current.status === 'confirmed' ? await writeCreate(ctx, current) : await writeCancel(ctx, current);
          if (r.kind === 'changed') continue;
          log.info({ writeBackStatus: r.booking.writeBackStatus, pimsAppointmentId: r.booking.pimsAppointmentId, outcome: r.outcome }, 'write-back settled');
          if (r.booking.writeBackStatus) this.tell({ status: r.booking.writeBackStatus, action: actionOf(current), clinicId: current.clinicId });
          last = { kind: 'settled', status: r.booking.writeBackStatus, booking: r.booking };
        } catch (err) {
          if (isPimsError(err) && err.code !== 'pims_not_found' && err.code !== 'pims_conflict') badSession = true;
          const r = await this.onFailure(current, rowIds, err, log);
          if (r === 'changed') continue;
          this.tell({ status: r.kind === 'settled' ? (r.status ?? 'failed') : 'retry', action: actionOf(current), clinicId: current.clinicId });
          return r;
        }
      }
      const open = await this.repository.unprocessed(this.pool, bookingId);
      if (open.length === 0) return last;
      return { kind: 'retry', attempts: 0, error: { code: 'write_back_busy', message: 'The booking kept changing while it was written' } };
    } finally {
      await borrowed?.borrowed.release(badSession).catch(() => undefined);
      await lease.release();
    }
  }

  /**
   * Open outbox rows whose job no worker will deliver any more (its worker died, or the queue gave
   * up on it) get a new job. A row is looked at when its job was sent more than staleSeconds ago;
   * its job waiting (created, retry) or taken within staleSeconds is left alone, and so is one whose
   * booking lease is held (its write is alive). Returns how many were sent again.
   */
  async sweep(opts: { staleSeconds: number; jobs: (jobIds: string[]) => Promise<Map<string, QueueJobState>> }): Promise<number> {
    const rows = await this.repository.findUnsettled(opts.staleSeconds);
    if (rows.length === 0) return 0;
    const states = await opts.jobs(rows.map((r) => r.jobId));
    let sent = 0;
    for (const row of rows) {
      const job = states.get(row.jobId);
      if (job && (job.state === 'created' || job.state === 'retry')) continue;
      if (job && job.state === 'active' && (job.activeForSeconds ?? 0) <= opts.staleSeconds) continue;
      const lease = await tryBookingLease(this.pool, row.bookingId);
      if (!lease) continue;
      try {
        const renewed = await withTransaction(this.pool, async (tx) => {
          const r = await this.repository.renewJob(tx, row.id);
          if (r) await this.opts.queue.send(tx, jobOf(r));
          return r;
        });
        if (renewed) {
          sent++;
          this.logger.warn({ bookingId: row.bookingId, outboxId: row.id, jobState: job?.state ?? 'gone', jobId: renewed.jobId }, 'write-back job lost; sent again');
        }
      } finally {
        await lease.release();
      }
    }
    return sent;
  }

  private tell(outcome: WriteBackOutcome): void {
    try {
      this.opts.onOutcome?.(outcome);
    } catch {
      // Counting never breaks a write-back.
    }
  }

  /** A failed attempt: retried while transient and within the budget, else the write-back ends failed. */
  private async onFailure(b: WriteBackBooking, rowIds: string[], err: unknown, log: Logger): Promise<WriteBackResult | 'changed'> {
    const d = describeError(err);
    const expect: BookingExpectation = b.status === 'confirmed' ? { status: 'confirmed', date: b.date, startTime: b.startTime } : { status: 'cancelled' };
    if (isPimsError(err, 'pims_not_found') && b.status === 'confirmed') {
      // The client or patient recorded is gone from the PIMS: match again next time.
      await this.repository.recordIds(this.pool, b.id, { clientId: null, patientId: null }, expect);
    }
    const error = `${d.code}: ${d.message}`.slice(0, 500);
    const cause = isAppError(err) ? undefined : err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
    if (PERMANENT.has(d.code) || b.attempts >= this.maxAttempts) {
      const ended = await withTransaction(this.pool, async (tx) => {
        const r = await this.repository.finish(tx, b.id, { status: 'failed', error }, expect);
        if (r) await this.repository.markProcessed(tx, rowIds, 'failed');
        return r;
      });
      if (!ended) return 'changed';
      log.error({ err: d, cause, attempts: b.attempts, maxAttempts: this.maxAttempts }, 'write-back failed');
      return { kind: 'settled', status: 'failed', booking: ended };
    }
    await this.repository.recordError(this.pool, b.id, error);
    log.warn({ err: d, cause, attempts: b.attempts, maxAttempts: this.maxAttempts }, 'write-back attempt failed; retried with backoff');
    return { kind: 'retry', attempts: b.attempts, error: d };
  }

  /** A logged-in session of the booking's clinic that can write, and the clinic's phone notation. */
  private async borrow(clinicId: string): Promise<{ borrowed: BorrowedSession; region: CountryCode }> {
    const clinic = await this.opts.clinics.findById(clinicId);
    const credentials = clinic ? await this.opts.clinics.getCredentials(clinicId) : null;
    if (!clinic || !credentials) throw new AppError('clinic_not_found', 'The clinic no longer exists', { status: 404 });
    const provider = this.opts.registry.get(clinic.pimsProvider);
    const borrowed = await this.sessions.borrow(provider, clinicId, credentials, clinic.timezone);
    try {
      requireWrites(borrowed.session, provider.name);
    } catch (err) {
      await borrowed.release();
      throw err;
    }
    return { borrowed, region: phoneRegionForTimeZone(clinic.timezone) };
  }

  private passContext(session: PimsSession, region: CountryCode, rowIds: string[], lease: PassContext['lease']): PassContext {
    return {
      pool: this.pool,
      repository: this.repository,
      session,
      writes: session.writes!,
      lease,
      region,
      rowIds,
      calendarSetUp: () => this.calendarSetUp(session),
    };
  }

  /** The PIMS's calendar set-up, read once per session every few minutes. */
  private calendarSetUp(session: PimsSession): Promise<PimsScheduleConfig> {
    const cached = this.setUps.get(session);
    if (cached && Date.now() - cached.at < SET_UP_TTL_MS) return cached.config;
    const config = session.getScheduleConfig();
    this.setUps.set(session, { at: Date.now(), config });
    config.catch(() => this.setUps.delete(session));
    return config;
  }
}

function jobOf(row: OutboxRow): WriteBackJob {
  return { jobId: row.jobId, outboxId: row.id, bookingId: row.bookingId, clinicId: row.clinicId };
}

const bookingNotFound = () => new AppError('booking_not_found', 'No booking with this id', { status: 404 });

const actionOf = (b: WriteBackBooking): WriteBackAction => (b.status === 'confirmed' ? 'create' : 'cancel');
