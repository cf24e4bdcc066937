import { withTransaction, type Pool, type PoolClient, type Queryable } from '@pims/db';
import { AppError, addDays, localDateOf, noopLogger, todayIn, type Logger } from '@pims/util';
import {
  BOOKING_STATUSES,
  HOLD_TTL_SECONDS,
  MAX_AVAILABILITY_DAYS,
  WRITE_BACK_STATUSES,
  type AvailabilityOutput,
  type AvailabilitySlot,
  type BookingSource,
  type BookingStatus,
  type BookingView,
  type HoldOutput,
  type WriteBackStatus,
} from '@pims/sync-contracts';
import {
  BookingsRepository,
  IDEMPOTENCY_INDEX,
  isUniqueViolation,
  type BookingClinic,
  type BookingRecord,
} from '../repositories/bookings.repository';
import { isUuid, normalizeBooking, type BookInput, type NormalizedBooking } from './booking-input';
import { normalizeConfirmationNumber } from './confirmation-number';
import { phoneRegionForTimeZone, toE164 } from './phone';

export type { BookInput } from './booking-input';

/**
 * Work that must commit or roll back with a booking change (the write-back outbox): each runs inside
 * the change's transaction, on its client.
 */
export interface BookingHooks {
  onConfirmed?(tx: PoolClient, booking: BookingView): Promise<void>;
  /** May answer the booking as the hook left it (the write-back state a cancel sets). */
  onCancelled?(tx: PoolClient, booking: BookingView): Promise<BookingView | void>;
  onRescheduled?(tx: PoolClient, booking: BookingView, previous: { slotId: string | null; startsAt: string }): Promise<void>;
}

/**
 * A booking change that committed, or a request refused for want of a seat (for counters). Told
 * after the transaction, never inside it, so a decision run again is told once.
 */
export interface BookingEvent {
  change: 'held' | 'confirmed' | 'cancelled' | 'rescheduled' | 'unavailable';
  clinicId: string;
  /** The booking's source (null for a hold, which has none yet). */
  source: BookingSource | null;
}

export interface BookingServiceOptions {
  pool: Pool;
  /**
   * The clock every seat decision reads, after it holds its slot lock. Left out, the database's clock
   * decides (one clock for every process on the database).
   */
  clock?: () => Date;
  logger?: Logger;
  repository?: BookingsRepository;
  hooks?: BookingHooks;
  /** Told of every committed change and every refusal for want of a seat; must not throw. */
  onEvent?: (event: BookingEvent) => void;
}

export interface HoldInput {
  clinicId: string;
  slotId: string;
  ttlSeconds?: number;
}

export interface ListBookingsInput {
  clinicId?: string;
  status?: BookingStatus;
  writeBackStatus?: WriteBackStatus;
  limit?: number;
  cursor?: string;
}

const ALTERNATIVES = 5;
/** How far either side of the wanted time alternatives are looked for, in days. */
const ALTERNATIVES_SPAN_DAYS = 14;
const DECISION_ATTEMPTS = 3;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Thrown inside a decision to run it again in a new transaction (its premise changed under it). */
class Retry extends Error {}

type Decision<T> = { kind: 'done'; value: T } | { kind: 'unavailable'; slotId: string };

/**
 * Availability, holds, bookings, cancel and reschedule over the synced slots. A slot's seats are
 * counted in one place (public.slot_availability). Every decision that takes a seat is one
 * transaction on one connection: lock the slot row, count under the lock, write, commit; so N
 * simultaneous requests for k free seats give exactly k successes, across processes. Reschedule
 * locks both slots in id order.
 */
export class BookingService {
  readonly repository: BookingsRepository;
  private readonly pool: Pool;
  private readonly clock?: () => Date;
  private readonly logger: Logger;
  private readonly hooks: BookingHooks;
  private readonly onEvent?: (event: BookingEvent) => void;

  constructor(opts: BookingServiceOptions) {
    this.pool = opts.pool;
    this.clock = opts.clock;
    this.logger = opts.logger ?? noopLogger;
    this.repository = opts.repository ?? new BookingsRepository(opts.pool);
    this.hooks = opts.hooks ?? {};
    this.onEvent = opts.onEvent;
  }

  /**
   * The clinic's open slots between two local dates (default today .. today + forwardDays, at most
   * 31 days), starting after now, in time order, with their seats.
   */
  async availability(clinicId: string, range: { from?: string; to?: string } = {}): Promise<AvailabilityOutput> {
    const clinic = await this.requireClinic(clinicId);
    const today = todayIn(clinic.timezone, { now: () => this.appNow() });
    for (const d of [range.from, range.to]) {
      if (d !== undefined && !isRealDate(d)) throw new AppError('invalid_range', `Dates must be YYYY-MM-DD (got ${String(d).slice(0, 20)})`, { status: 400 });
    }
    const from = range.from ?? today;
    const to = range.to ?? minDate(addDays(from, clinic.forwardDays), addDays(from, MAX_AVAILABILITY_DAYS - 1));
    if (to < from) throw new AppError('invalid_range', `The range starts after it ends (${from} .. ${to})`, { status: 400 });
    if (daysBetween(from, to) + 1 > MAX_AVAILABILITY_DAYS) {
      throw new AppError('invalid_range', `The range is longer than ${MAX_AVAILABILITY_DAYS} days (${from} .. ${to})`, { status: 400 });
    }
    const slots = await this.repository.openSlots(this.pool, clinic.id, from, to, this.clockNow());
    return { clinicId: clinic.id, timezone: clinic.timezone, slots };
  }

  /** Holds one seat for ttlSeconds (5..900, default 300). 409 slot_unavailable (+ alternatives) when none is free. */
  async hold(input: HoldInput): Promise<HoldOutput> {
    const clinic = await this.requireClinic(input.clinicId);
    const ttl = input.ttlSeconds ?? HOLD_TTL_SECONDS.default;
    if (!Number.isInteger(ttl) || ttl < HOLD_TTL_SECONDS.min || ttl > HOLD_TTL_SECONDS.max) {
      throw new AppError('invalid_input', `ttlSeconds must be a whole number from ${HOLD_TTL_SECONDS.min} to ${HOLD_TTL_SECONDS.max}`, { status: 400 });
    }
    if (!isUuid(input.slotId)) throw slotNotFound();
    const outcome = await this.decide<HoldOutput>(async (tx) => {
      const slot = await this.repository.lockSlot(tx, clinic.id, input.slotId);
      if (!slot) throw slotNotFound();
      const now = await this.decisionNow(tx);
      const seats = await this.repository.seatsOf(tx, clinic.id, slot.date, slot.id, now);
      if (!hasRoom(seats, now)) return { kind: 'unavailable', slotId: slot.id };
      const hold = await this.repository.insertHold(tx, clinic.id, slot.id, new Date(now.getTime() + ttl * 1000));
      return { kind: 'done', value: { holdId: hold.view.id, slotId: slot.id, expiresAt: hold.holdExpiresAt!.toISOString() } };
    });
    this.tell(outcome, { change: 'held', clinicId: clinic.id, source: null });
    return this.settle(clinic, outcome);
  }

  /**
   * Books a seat: into a slot with room, or from a live hold (then the hold becomes the booking).
   * The same idempotencyKey again answers the same booking and books nothing more; with another
   * request it is idempotency_conflict.
   */
  async book(input: BookInput): Promise<BookingView> {
    const clinic = await this.requireClinic(input?.clinicId);
    const req = normalizeBooking(input, phoneRegionForTimeZone(clinic.timezone));
    if (req.idempotencyKey !== null) {
      const earlier = await this.repository.findByIdempotencyKey(this.pool, clinic.id, req.idempotencyKey, this.clockNow());
      if (earlier) return replay(earlier, req);
    }
    let fresh = false;
    const outcome = await this.decide<BookingView>(async (tx) => {
      fresh = false;
      let slotId = req.slotId;
      if (req.holdId !== null) {
        const hold = await this.repository.findById(tx, req.holdId, null);
        if (!hold || hold.clinicId !== clinic.id) throw holdNotFound();
        if (hold.slotId === null) throw hold.view.status === 'expired' ? holdExpired() : holdNotFound();
        if (slotId !== null && slotId !== hold.slotId) throw new AppError('invalid_input', 'The holdId and the slotId name different slots', { status: 400 });
        slotId = hold.slotId;
      }
      const slot = await this.repository.lockSlot(tx, clinic.id, slotId!);
      if (!slot) throw slotNotFound();
      // Under the lock: a request with the same key that committed meanwhile is seen now.
      if (req.idempotencyKey !== null) {
        const earlier = await this.repository.findByIdempotencyKey(tx, clinic.id, req.idempotencyKey, null);
        if (earlier) return { kind: 'done', value: replay(earlier, req) };
      }
      const now = await this.decisionNow(tx);
      let booked: { record: BookingRecord; fresh: boolean } | null;
      try {
        booked = req.holdId !== null ? await this.confirmHold(tx, req, now) : await this.bookSlot(tx, clinic, slot.date, slot.id, req, now);
      } catch (err) {
        // The same key committed by a request for another slot (its lock was not ours).
        if (!isUniqueViolation(err, IDEMPOTENCY_INDEX)) throw err;
        const earlier = await this.repository.findByIdempotencyKey(tx, clinic.id, req.idempotencyKey!, null);
        if (!earlier) throw err;
        return { kind: 'done', value: replay(earlier, req) };
      }
      if (!booked) return { kind: 'unavailable', slotId: slot.id };
      if (booked.fresh) await this.hooks.onConfirmed?.(tx, booked.record.view);
      fresh = booked.fresh;
      return { kind: 'done', value: booked.record.view };
    });
    if (fresh || outcome.kind === 'unavailable') this.tell(outcome, { change: 'confirmed', clinicId: clinic.id, source: req.source });
    return this.settle(clinic, outcome);
  }

  async get(id: string): Promise<BookingView> {
    const found = isUuid(id) ? await this.repository.findById(this.pool, id, this.clockNow()) : null;
    if (!found) throw bookingNotFound();
    return found.view;
  }

  /** Newest first; the cursor is the id of the last item of the previous page. */
  async list(q: ListBookingsInput = {}): Promise<{ items: BookingView[]; nextCursor: string | null }> {
    const limit = q.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new AppError('invalid_input', 'limit must be a whole number from 1 to 100', { status: 400 });
    if (q.cursor !== undefined && !isUuid(q.cursor)) throw new AppError('invalid_cursor', 'The cursor is not one this API returned', { status: 400 });
    if (q.clinicId !== undefined && !isUuid(q.clinicId)) return { items: [], nextCursor: null };
    if (q.status !== undefined && !BOOKING_STATUSES.includes(q.status)) throw new AppError('invalid_input', 'Unknown booking status', { status: 400 });
    if (q.writeBackStatus !== undefined && !WRITE_BACK_STATUSES.includes(q.writeBackStatus)) {
      throw new AppError('invalid_input', 'Unknown write-back status', { status: 400 });
    }
    return this.repository.list({ ...q, limit }, this.clockNow());
  }

  /** Cancels a confirmed booking (or releases a live hold); its seat is free when this returns. */
  async cancel(id: string, reason?: string): Promise<BookingView> {
    if (!isUuid(id)) throw bookingNotFound();
    const why = reason === undefined || reason === null ? null : String(reason).trim().slice(0, 500) || null;
    const outcome = await this.decide<BookingView>(async (tx) => {
      const now = await this.decisionNow(tx);
      const cancelled = await this.repository.cancel(tx, id, why, now);
      if (!cancelled) {
        const existing = await this.repository.findById(tx, id, now);
        if (!existing) throw bookingNotFound();
        throw notActive(existing.view.status);
      }
      const view = (await this.hooks.onCancelled?.(tx, cancelled.view)) ?? cancelled.view;
      return { kind: 'done', value: view };
    });
    if (outcome.kind === 'done') this.tell(outcome, { change: 'cancelled', clinicId: outcome.value.clinicId, source: outcome.value.source });
    return this.settle(null, outcome);
  }

  /**
   * Moves a confirmed booking to another slot with room; when it has none, 409 slot_unavailable
   * (+ alternatives) and the booking keeps its slot.
   */
  async reschedule(id: string, slotId: string): Promise<BookingView> {
    if (!isUuid(id)) throw bookingNotFound();
    const seen = { clinicId: null as string | null, source: null as BookingSource | null, moved: false };
    const outcome = await this.decide<BookingView>(async (tx) => {
      seen.moved = false;
      const current = await this.repository.findById(tx, id, null);
      if (!current) throw bookingNotFound();
      seen.clinicId = current.clinicId;
      seen.source = current.view.source;
      if (current.view.status !== 'confirmed') throw notActive(current.view.status);
      if (!isUuid(slotId)) throw slotNotFound();
      if (current.slotId === slotId) return { kind: 'done', value: current.view };
      // Both slots, in id order: two reschedules crossing between the same slots never deadlock.
      const locked = new Map<string, { date: string }>();
      for (const sid of [current.slotId!, slotId].sort()) {
        const s = await this.repository.lockSlot(tx, current.clinicId, sid);
        if (s) locked.set(sid, s);
      }
      const target = locked.get(slotId);
      if (!target) throw slotNotFound();
      const now = await this.decisionNow(tx);
      const booking = await this.repository.lockBooking(tx, id, now);
      if (!booking) throw bookingNotFound();
      if (booking.view.status !== 'confirmed') throw notActive(booking.view.status);
      if (booking.slotId !== current.slotId) throw new Retry(); // moved meanwhile: lock the right slots
      const seats = await this.repository.seatsOf(tx, booking.clinicId, target.date, slotId, now);
      if (!hasRoom(seats, now)) return { kind: 'unavailable', slotId };
      const moved = await this.repository.moveToSlot(tx, id, slotId, now);
      if (!moved) throw slotNotFound();
      await this.hooks.onRescheduled?.(tx, moved.view, { slotId: booking.slotId, startsAt: booking.view.startsAt });
      seen.moved = true;
      return { kind: 'done', value: moved.view };
    });
    if (seen.clinicId && (seen.moved || outcome.kind === 'unavailable')) this.tell(outcome, { change: 'rescheduled', clinicId: seen.clinicId, source: seen.source });
    return this.settle(seen.clinicId ? await this.requireClinic(seen.clinicId) : null, outcome);
  }

  /**
   * A clinic's booking by its confirmation number when the phone matches it too (both as a caller
   * says them: the number in any case with spaces or dashes, the phone in any common notation).
   * Null when either does not match.
   */
  async findByConfirmation(clinicId: string, confirmationNumber: string, phone: string): Promise<BookingView | null> {
    const clinic = await this.requireClinic(clinicId);
    const number = normalizeConfirmationNumber(confirmationNumber);
    const e164 = toE164(phone, phoneRegionForTimeZone(clinic.timezone));
    if (!number || !e164) return null;
    const found = await this.repository.findByConfirmation(this.pool, clinic.id, number, e164, this.clockNow());
    return found?.view ?? null;
  }

  /**
   * Up to n (default 5) open slots with room that start after now, nearest first to a slot (by its
   * id, which is left out) or an instant, by the distance between start instants; within two weeks
   * either side of it.
   */
  async alternatives(clinicId: string, near: string | Date, n = ALTERNATIVES): Promise<AvailabilitySlot[]> {
    const clinic = await this.requireClinic(clinicId);
    return this.nearest(clinic, near, n);
  }

  /** Tidying: marks holds past their expiry 'expired'. Never needed for counting (they stopped at that instant). */
  async expireHolds(): Promise<number> {
    return this.repository.expireHolds(this.clockNow());
  }

  // ---- internals ---------------------------------------------------------------------------------

  /** Counts the slot's seats under its lock and books one, or null when it has none free. */
  private async bookSlot(tx: Queryable, clinic: BookingClinic, date: string, slotId: string, req: NormalizedBooking, now: Date) {
    const seats = await this.repository.seatsOf(tx, clinic.id, date, slotId, now);
    if (!hasRoom(seats, now)) return null;
    return { record: await this.repository.insertConfirmed(tx, clinic.id, slotId, confirmation(req, now)), fresh: true };
  }

  /**
   * Turns the live hold into the booking; its seat is already counted, so nothing is recounted. The
   * same request again (the hold already became this booking) answers that booking.
   */
  private async confirmHold(tx: Queryable, req: NormalizedBooking, now: Date): Promise<{ record: BookingRecord; fresh: boolean }> {
    const hold = await this.repository.lockBooking(tx, req.holdId!, now);
    if (!hold) throw holdNotFound();
    if (hold.storedStatus === 'confirmed' && hold.requestFingerprint === req.fingerprint) return { record: hold, fresh: false };
    if (hold.view.status === 'expired') throw holdExpired();
    if (hold.view.status !== 'held') throw holdNotFound();
    const booked = await this.repository.confirmHold(tx, hold.view.id, confirmation(req, now));
    if (!booked) throw holdExpired();
    return { record: booked, fresh: true };
  }

  private async nearest(clinic: BookingClinic, near: string | Date, n: number): Promise<AvailabilitySlot[]> {
    const count = Math.max(1, Math.min(50, Math.trunc(n) || ALTERNATIVES));
    let instant: Date | null;
    let exclude: string | null = null;
    if (typeof near === 'string' && isUuid(near)) {
      instant = await this.repository.slotStart(this.pool, clinic.id, near);
      if (!instant) throw slotNotFound();
      exclude = near;
    } else {
      instant = near instanceof Date ? near : new Date(String(near));
      if (Number.isNaN(instant.getTime())) throw new AppError('invalid_input', 'Expected a slot id or an instant', { status: 400 });
    }
    const today = todayIn(clinic.timezone, { now: () => this.appNow() });
    const nearDate = localDateOf(instant, clinic.timezone);
    const from = maxDate(today, addDays(nearDate, -ALTERNATIVES_SPAN_DAYS));
    const to = addDays(maxDate(nearDate, today), ALTERNATIVES_SPAN_DAYS);
    return this.repository.nearestWithRoom(this.pool, { clinicId: clinic.id, from, to, near: instant, excludeSlotId: exclude, n: count, now: this.clockNow() });
  }

  /**
   * One decision: a transaction on one client, run again (a few times) when the database broke a
   * deadlock or a serialization conflict, or the decision found its premise changed. A slot that had
   * no room ends the transaction first; its alternatives are read after, outside the lock.
   */
  private async decide<T>(fn: (tx: PoolClient) => Promise<Decision<T>>): Promise<Decision<T>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withTransaction(this.pool, fn);
      } catch (err) {
        const code = (err as { code?: string }).code;
        const again = err instanceof Retry || code === '40P01' || code === '40001';
        if (!again || attempt >= DECISION_ATTEMPTS) {
          if (err instanceof Retry) throw new AppError('booking_conflict', 'The booking changed while it was being updated; try again', { status: 409, retryable: true });
          throw err;
        }
        this.logger.warn({ attempt, code: code ?? 'retry' }, 'booking decision retried');
      }
    }
  }

  /** Tells onEvent of a committed decision (`done` as `event`), or of a refusal for want of a seat. */
  private tell(outcome: Decision<unknown>, event: BookingEvent): void {
    try {
      this.onEvent?.(outcome.kind === 'done' ? event : { ...event, change: 'unavailable' });
    } catch {
      // Counting never breaks a booking.
    }
  }

  private async settle<T>(clinic: BookingClinic | null, outcome: Decision<T>): Promise<T> {
    if (outcome.kind === 'done') return outcome.value;
    const alternatives = clinic ? await this.nearest(clinic, outcome.slotId, ALTERNATIVES) : [];
    throw new AppError('slot_unavailable', 'That time is no longer available', { status: 409, details: { alternatives } });
  }

  private async requireClinic(clinicId: string): Promise<BookingClinic> {
    const clinic = isUuid(clinicId) ? await this.repository.findClinic(clinicId, this.pool) : null;
    if (!clinic) throw new AppError('clinic_not_found', 'No clinic with this id', { status: 404 });
    return clinic;
  }

  /** The instant a decision is made: read after its locks are held, from the injected clock or the database. */
  private async decisionNow(tx: Queryable): Promise<Date> {
    return this.clock ? this.clock() : this.repository.databaseNow(tx);
  }

  /** The injected clock's now, or null: the database's clock then decides in SQL. */
  private clockNow(): Date | null {
    return this.clock ? this.clock() : null;
  }

  /** A now for calendar arithmetic in the clinic's zone (which local day is today). */
  private appNow(): Date {
    return this.clock ? this.clock() : new Date();
  }
}

function confirmation(req: NormalizedBooking, now: Date) {
  return {
    client: req.client,
    patient: req.patient,
    reason: req.reason,
    source: req.source,
    idempotencyKey: req.idempotencyKey,
    requestFingerprint: req.fingerprint,
    now,
  };
}

/** A seat can be taken: the slot is open, has one free and has not started. */
function hasRoom(seats: AvailabilitySlot | null, now: Date): boolean {
  return seats !== null && seats.capacity > 0 && seats.available >= 1 && new Date(seats.startsAt).getTime() > now.getTime();
}

function replay(earlier: BookingRecord, req: NormalizedBooking): BookingView {
  if (earlier.requestFingerprint !== req.fingerprint) {
    throw new AppError('idempotency_conflict', 'This idempotencyKey was used for another booking request', { status: 409 });
  }
  return earlier.view;
}

const slotNotFound = () => new AppError('slot_not_found', 'No slot with this id at this clinic', { status: 404 });
const holdNotFound = () => new AppError('hold_not_found', 'No live hold with this id at this clinic', { status: 404 });
const holdExpired = () => new AppError('hold_expired', 'The hold has expired', { status: 409 });
const bookingNotFound = () => new AppError('booking_not_found', 'No booking with this id', { status: 404 });
const notActive = (status: string) => new AppError('booking_not_active', `The booking is ${status}`, { status: 409 });

function isRealDate(d: string): boolean {
  if (typeof d !== 'string' || !DATE.test(d)) return false;
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
const minDate = (a: string, b: string) => (a < b ? a : b);
const maxDate = (a: string, b: string) => (a > b ? a : b);
