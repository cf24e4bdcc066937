import type { Camelized, Narrow, PgFunctionRow, PgRow, Pool, Queryable } from '@pims/db';
import type { AvailabilitySlot, BookingSource, BookingStatus, BookingView, ScheduleSlot, WriteBackStatus } from '@pims/sync-contracts';
import { newConfirmationNumber } from '../bookings/confirmation-number';

type SlotRow = PgRow<'schedule_slots'>;

/** What the booking rules need of a clinic (public.clinics and its schedule config). */
export interface BookingClinic extends Pick<PgRow<'clinics'>, 'id' | 'timezone'> {
  /** forward_sync_days: the default availability window is today .. today + forwardDays. */
  forwardDays: PgRow<'clinic_schedule_config'>['forward_sync_days'];
}

/** A schedule_slots row locked for a seat decision. */
export type LockedSlot = Camelized<Pick<SlotRow, 'id' | 'clinic_id' | 'date'>>;

export interface BookingClient {
  firstName: string;
  lastName: string;
  /** E.164 */
  phone: string;
  email?: string;
}

export interface BookingPatient {
  name: string;
  species?: string;
  breed?: string;
}

/** The bookings columns a confirmation writes, whether it creates the row or turns a hold into it (now: confirmed_at). */
export interface Confirmation {
  client: NonNullable<BookingDbRow['client']>;
  patient: NonNullable<BookingDbRow['patient']>;
  reason: NonNullable<BookingDbRow['reason']>;
  source: BookingDbRow['source'];
  idempotencyKey: BookingDbRow['idempotency_key'];
  requestFingerprint: NonNullable<BookingDbRow['request_fingerprint']>;
  now: NonNullable<BookingDbRow['confirmed_at']>;
}

/**
 * A bookings row as node-postgres answers it, its text and jsonb columns narrowed to what the
 * booking rules store (statuses from their check constraints, client and patient as written).
 */
export type BookingDbRow = Narrow<
  PgRow<'bookings'>,
  {
    status: BookingStatus;
    source: BookingSource;
    write_back_status: WriteBackStatus | null;
    client: BookingClient | null;
    patient: BookingPatient | null;
  }
>;

/** A row of SELECT_BOOKING: the booking and its status as read at that instant. */
type BookingSelectRow = BookingDbRow & { effective_status?: BookingStatus };

/** A bookings row with the fields the rules look at, beside the view shown to callers. */
export interface BookingRecord extends Camelized<Pick<BookingDbRow, 'clinic_id' | 'slot_id' | 'hold_expires_at' | 'starts_at' | 'request_fingerprint'>> {
  view: BookingView;
  /** As stored ('held' past its expiry stays 'held' until a sweeper runs: see view.status). */
  storedStatus: BookingDbRow['status'];
}

export interface BookingListQuery {
  clinicId?: string;
  status?: BookingStatus;
  writeBackStatus?: WriteBackStatus;
  limit: number;
  cursor?: string;
}

export const IDEMPOTENCY_INDEX = 'idx_bookings_clinic_id_idempotency_key';
const CONFIRMATION_CONSTRAINT = 'bookings_clinic_id_confirmation_number_key';
const CONFIRMATION_ATTEMPTS = 8;

/** Whether a database error is a unique violation of the named constraint or index. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === constraint;
}

/**
 * A time given by the caller's clock, or the database's own when it gave none (`clock_timestamp()`:
 * the moment the statement runs, after any lock it waited for, not the transaction's start).
 */
const at = (param: number) => `coalesce($${param}::timestamptz, clock_timestamp())`;

/** A hold past its expiry reads 'expired' at once; a sweeper only makes the stored status agree. */
const SELECT_BOOKING = (nowParam: number) => `select b.*,
  case when b.status = 'held' and b.hold_expires_at <= ${at(nowParam)} then 'expired' else b.status end as effective_status
  from public.bookings b`;

const COPY_SLOT = `s.start_at, s.date, s.start_time, s.end_time`;

/**
 * Owns all SQL on bookings, and the seat arithmetic read through public.slot_availability (the one
 * place that counts a slot's seats). Every method takes the connection to run on: a seat decision
 * runs all its statements on its transaction's client, never on the pool.
 */
export class BookingsRepository {
  constructor(private readonly pool: Pool) {}

  /** The booking rules' view of a clinic (its zone and forward window), or null. */
  async findClinic(clinicId: string, db: Queryable = this.pool): Promise<BookingClinic | null> {
    const { rows } = await db.query<Pick<PgRow<'clinics'>, 'id' | 'timezone'> & { forward_days: PgRow<'clinic_schedule_config'>['forward_sync_days'] }>(
      `select c.id, c.timezone, coalesce(s.forward_sync_days, 14) as forward_days
       from public.clinics c left join public.clinic_schedule_config s on s.clinic_id = c.id where c.id = $1`,
      [clinicId],
    );
    return rows[0] ? { id: rows[0].id, timezone: rows[0].timezone, forwardDays: rows[0].forward_days } : null;
  }

  /** The database's clock now (after whatever lock this transaction waited for). */
  async databaseNow(db: Queryable): Promise<Date> {
    const { rows } = await db.query<{ now: Date }>('select clock_timestamp() as now');
    return rows[0].now;
  }

  /**
   * Locks a clinic's slot row for this transaction (`for update`): every decision that takes a seat
   * in it, and the forward sync before it retires or deletes it, waits here. Null when there is no
   * such slot in that clinic.
   */
  async lockSlot(db: Queryable, clinicId: string, slotId: string): Promise<LockedSlot | null> {
    const { rows } = await db.query<Pick<SlotRow, 'id' | 'clinic_id' | 'date'>>(
      `select id, clinic_id, date from public.schedule_slots where id = $1 and clinic_id = $2 for update`,
      [slotId, clinicId],
    );
    return rows[0] ? { id: rows[0].id, clinicId: rows[0].clinic_id, date: rows[0].date } : null;
  }

  /** A slot's seats at `now` (read under its lock for a decision). */
  async seatsOf(db: Queryable, clinicId: string, date: string, slotId: string, now: Date | null): Promise<AvailabilitySlot | null> {
    const { rows } = await db.query<PgFunctionRow<'slot_availability'>>(
      `select v.* from public.slot_availability($1, $2, $2, ${at(3)}) v where v.slot_id = $4`,
      [clinicId, date, now, slotId],
    );
    return rows[0] ? toSlot(rows[0]) : null;
  }

  /** The bookable slots of local dates from .. to: open (capacity > 0), starting after now, in time order. */
  async openSlots(db: Queryable, clinicId: string, from: string, to: string, now: Date | null): Promise<AvailabilitySlot[]> {
    const { rows } = await db.query<PgFunctionRow<'slot_availability'>>(
      `select v.* from public.slot_availability($1, $2, $3, ${at(4)}) v
       where v.capacity > 0 and v.starts_at > ${at(4)}
       order by v.starts_at, v.slot_id`,
      [clinicId, from, to, now],
    );
    return rows.map(toSlot);
  }

  /** Up to n open slots with room, starting after now, nearest to an instant first (earlier on a tie). */
  async nearestWithRoom(
    db: Queryable,
    q: { clinicId: string; from: string; to: string; near: Date; excludeSlotId: string | null; n: number; now: Date | null },
  ): Promise<AvailabilitySlot[]> {
    const { rows } = await db.query<PgFunctionRow<'slot_availability'>>(
      `select v.* from public.slot_availability($1, $2, $3, ${at(4)}) v
       where v.capacity > 0 and v.available >= 1 and v.starts_at > ${at(4)} and ($6::uuid is null or v.slot_id <> $6)
       order by abs(extract(epoch from v.starts_at - $5::timestamptz)), v.starts_at, v.slot_id
       limit $7`,
      [q.clinicId, q.from, q.to, q.now, q.near, q.excludeSlotId, q.n],
    );
    return rows.map(toSlot);
  }

  /** A clinic's slot start instant, for "slots near this one". */
  async slotStart(db: Queryable, clinicId: string, slotId: string): Promise<Date | null> {
    const { rows } = await db.query<Pick<SlotRow, 'start_at'>>(`select start_at from public.schedule_slots where id = $1 and clinic_id = $2`, [
      slotId,
      clinicId,
    ]);
    return rows[0]?.start_at ?? null;
  }

  /** A hold on a slot, its calendar values copied from the slot. */
  async insertHold(db: Queryable, clinicId: string, slotId: string, expiresAt: Date): Promise<BookingRecord> {
    const { rows } = await db.query<BookingDbRow>(
      `insert into public.bookings (clinic_id, slot_id, status, starts_at, date, start_time, end_time, hold_expires_at)
       select $1, s.id, 'held', ${COPY_SLOT}, $3 from public.schedule_slots s where s.id = $2
       returning *`,
      [clinicId, slotId, expiresAt],
    );
    return toRecord(rows[0]);
  }

  /** A confirmed booking straight into a slot (no hold), with a fresh confirmation number. */
  async insertConfirmed(db: Queryable, clinicId: string, slotId: string, c: Confirmation): Promise<BookingRecord> {
    const row = await withConfirmationNumber(db, (number) =>
      db.query<BookingDbRow>(
        `insert into public.bookings (clinic_id, slot_id, status, starts_at, date, start_time, end_time, confirmation_number,
           client, patient, reason, source, idempotency_key, request_fingerprint, write_back_status, confirmed_at)
         select $1, s.id, 'confirmed', ${COPY_SLOT}, $3, $4, $5, $6, $7, $8, $9, 'pending', $10
         from public.schedule_slots s where s.id = $2
         returning *`,
        [clinicId, slotId, number, c.client, c.patient, c.reason, c.source, c.idempotencyKey, c.requestFingerprint, c.now],
      ),
    );
    // A row always: the caller holds the slot's lock, so the slot is there.
    return toRecord(row!);
  }

  /** Turns a hold that is still live at c.now into the booking. Null when it is not (guarded update). */
  async confirmHold(db: Queryable, holdId: string, c: Confirmation): Promise<BookingRecord | null> {
    const row = await withConfirmationNumber(db, (number) =>
      db.query<BookingDbRow>(
        `update public.bookings set status = 'confirmed', confirmation_number = $2, client = $3, patient = $4, reason = $5,
           source = $6, idempotency_key = $7, request_fingerprint = $8, write_back_status = 'pending', confirmed_at = $9
         where id = $1 and status = 'held' and hold_expires_at > $9
         returning *`,
        [holdId, number, c.client, c.patient, c.reason, c.source, c.idempotencyKey, c.requestFingerprint, c.now],
      ),
    );
    return row ? toRecord(row) : null;
  }

  async findById(db: Queryable, id: string, now: Date | null): Promise<BookingRecord | null> {
    const { rows } = await db.query<BookingSelectRow>(`${SELECT_BOOKING(2)} where b.id = $1`, [id, now]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** The row locked for this transaction (after the slot locks: slots first, then bookings, everywhere). */
  async lockBooking(db: Queryable, id: string, now: Date): Promise<BookingRecord | null> {
    const { rows } = await db.query<BookingSelectRow>(`${SELECT_BOOKING(2)} where b.id = $1 for update of b`, [id, now]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findByIdempotencyKey(db: Queryable, clinicId: string, key: string, now: Date | null): Promise<BookingRecord | null> {
    const { rows } = await db.query<BookingSelectRow>(`${SELECT_BOOKING(3)} where b.clinic_id = $1 and b.idempotency_key = $2`, [clinicId, key, now]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** A booking by its confirmation number, when the client's E.164 phone matches too. */
  async findByConfirmation(db: Queryable, clinicId: string, confirmationNumber: string, phone: string, now: Date | null): Promise<BookingRecord | null> {
    const { rows } = await db.query<BookingSelectRow>(
      `${SELECT_BOOKING(4)} where b.clinic_id = $1 and b.confirmation_number = $2 and b.client ->> 'phone' = $3`,
      [clinicId, confirmationNumber, phone, now],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * confirmed (or a live hold) -> cancelled, guarded: null when the booking is not active any more.
   * Its seat is free when this commits (slot_availability stops counting it, and its PIMS appointment).
   */
  async cancel(db: Queryable, id: string, reason: string | null, now: Date): Promise<BookingRecord | null> {
    const { rows } = await db.query<BookingDbRow>(
      `update public.bookings set status = 'cancelled', cancelled_at = $3, cancel_reason = $2
       where id = $1 and (status = 'confirmed' or (status = 'held' and hold_expires_at > $3))
       returning *`,
      [id, reason, now],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Moves a confirmed booking to another slot of its clinic (calendar values copied from it). Its
   * write-back starts again ('pending'); pims_appointment_id is kept: it names the PIMS appointment
   * the write-back has to move or replace.
   */
  async moveToSlot(db: Queryable, id: string, slotId: string, now: Date): Promise<BookingRecord | null> {
    const { rows } = await db.query<BookingDbRow>(
      `update public.bookings b set slot_id = s.id, starts_at = s.start_at, date = s.date, start_time = s.start_time,
         end_time = s.end_time, rescheduled_at = $3, write_back_status = 'pending', write_back_error = null, write_back_attempts = 0
       from public.schedule_slots s
       where b.id = $1 and s.id = $2 and s.clinic_id = b.clinic_id and b.status = 'confirmed'
       returning b.*`,
      [id, slotId, now],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * failed -> pending, guarded (an admin's retry of a write-back that used up its retries): the error
   * cleared and a fresh budget. Null when the booking's write-back is not 'failed' at that instant.
   */
  async retryFailedWriteBack(id: string, db: Queryable = this.pool): Promise<BookingRecord | null> {
    const { rows } = await db.query<BookingDbRow>(
      `update public.bookings set write_back_status = 'pending', write_back_error = null, write_back_attempts = 0
       where id = $1 and write_back_status = 'failed'
       returning *`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Newest first; the cursor is the id of the last item of the previous page. */
  async list(q: BookingListQuery, now: Date | null, db: Queryable = this.pool): Promise<{ items: BookingView[]; nextCursor: string | null }> {
    const { rows } = await db.query<BookingSelectRow>(
      `with v as (${SELECT_BOOKING(6)})
       select * from v
       where ($1::uuid is null or v.clinic_id = $1)
         and ($2::text is null or v.effective_status = $2)
         and ($3::text is null or v.write_back_status = $3)
         and ($4::uuid is null or (v.created_at, v.id) < (select c.created_at, c.id from public.bookings c where c.id = $4))
       order by v.created_at desc, v.id desc
       limit $5`,
      [q.clinicId ?? null, q.status ?? null, q.writeBackStatus ?? null, q.cursor ?? null, q.limit + 1, now],
    );
    const items = rows.slice(0, q.limit).map((r) => toRecord(r).view);
    return { items, nextCursor: rows.length > q.limit ? items[items.length - 1].id : null };
  }

  /**
   * Every slot of local dates from .. to (past, closed and full ones too), in time order, with what
   * fills it: seats through public.slot_availability, and the parts told apart for the dashboard's
   * schedule grid: the PIMS's own appointments (linked, not one of our bookings), our confirmed
   * bookings (and how many are not linked yet) and live holds.
   */
  async scheduleGrid(clinicId: string, from: string, to: string, now: Date | null, db: Queryable = this.pool): Promise<ScheduleSlot[]> {
    const { rows } = await db.query<
      PgFunctionRow<'slot_availability'> &
        Pick<SlotRow, 'booked_count'> & { pims_appointments: number; bookings: number; unlinked_bookings: number; holds: number }
    >(
      `select v.slot_id, v.date::text as date, v.start_time, v.end_time, v.starts_at, v.capacity, v.taken, v.available, s.booked_count,
         (select count(*) from public.schedule_appointments a
          where a.slot_id = v.slot_id and a.deleted_at is null
            and not exists (select 1 from public.bookings b where b.clinic_id = $1 and b.pims_appointment_id = a.neo_appointment_id))::int as pims_appointments,
         (select count(*) from public.bookings b where b.slot_id = v.slot_id and b.status = 'confirmed')::int as bookings,
         (select count(*) from public.bookings b
          where b.slot_id = v.slot_id and b.status = 'confirmed'
            and not exists (
              select 1 from public.schedule_appointments a
              where a.clinic_id = b.clinic_id and a.neo_appointment_id = b.pims_appointment_id and a.slot_id = b.slot_id and a.deleted_at is null
            ))::int as unlinked_bookings,
         (select count(*) from public.bookings b where b.slot_id = v.slot_id and b.status = 'held' and b.hold_expires_at > ${at(4)})::int as holds
       from public.slot_availability($1, $2, $3, ${at(4)}) v
       join public.schedule_slots s on s.id = v.slot_id
       order by v.starts_at, v.slot_id`,
      [clinicId, from, to, now],
    );
    return rows.map((r) => ({
      ...toSlot(r),
      bookedCount: r.booked_count,
      pimsAppointments: r.pims_appointments,
      bookings: r.bookings,
      unlinkedBookings: r.unlinked_bookings,
      holds: r.holds,
    }));
  }

  /** Tidying only: holds past their expiry get status 'expired' (they stopped counting at that instant). */
  async expireHolds(now: Date | null, db: Queryable = this.pool): Promise<number> {
    const { rowCount } = await db.query(
      `update public.bookings set status = 'expired' where status = 'held' and hold_expires_at <= ${at(1)}`,
      [now],
    );
    return rowCount ?? 0;
  }
}

/**
 * Runs a write that sets a fresh confirmation number inside a savepoint, and draws again when the
 * number is already one of the clinic's (unique per clinic). Any other error rolls the savepoint back
 * (the transaction stays usable) and is thrown.
 */
async function withConfirmationNumber<R>(db: Queryable, write: (number: string) => Promise<{ rows: R[] }>): Promise<R | undefined> {
  for (let attempt = 1; ; attempt++) {
    await db.query('savepoint confirmation_number');
    try {
      const { rows } = await write(newConfirmationNumber());
      await db.query('release savepoint confirmation_number');
      return rows[0];
    } catch (err) {
      await db.query('rollback to savepoint confirmation_number');
      if (!isUniqueViolation(err, CONFIRMATION_CONSTRAINT) || attempt >= CONFIRMATION_ATTEMPTS) throw err;
    }
  }
}

const hhmm = (t: string): string => t.slice(0, 5);
const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

function toSlot(r: PgFunctionRow<'slot_availability'>): AvailabilitySlot {
  return {
    slotId: r.slot_id,
    date: r.date,
    startTime: hhmm(r.start_time),
    endTime: hhmm(r.end_time),
    startsAt: r.starts_at.toISOString(),
    capacity: r.capacity,
    taken: r.taken,
    available: r.available,
  };
}

function toRecord(r: BookingSelectRow): BookingRecord {
  const view: BookingView = {
    id: r.id,
    bookingId: r.id,
    clinicId: r.clinic_id,
    slotId: r.slot_id,
    status: r.effective_status ?? r.status,
    confirmationNumber: r.confirmation_number,
    startsAt: r.starts_at.toISOString(),
    date: r.date,
    startTime: hhmm(r.start_time),
    endTime: hhmm(r.end_time),
    client: r.client,
    patient: r.patient,
    reason: r.reason,
    source: r.source,
    holdExpiresAt: iso(r.hold_expires_at),
    writeBack: {
      status: r.write_back_status,
      pimsAppointmentId: r.pims_appointment_id,
      error: r.write_back_error,
      attempts: r.write_back_attempts,
    },
    confirmedAt: iso(r.confirmed_at),
    rescheduledAt: iso(r.rescheduled_at),
    cancelledAt: iso(r.cancelled_at),
    cancelReason: r.cancel_reason,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
  return {
    view,
    clinicId: r.clinic_id,
    slotId: r.slot_id,
    storedStatus: r.status,
    holdExpiresAt: r.hold_expires_at,
    startsAt: r.starts_at,
    requestFingerprint: r.request_fingerprint,
  };
}
