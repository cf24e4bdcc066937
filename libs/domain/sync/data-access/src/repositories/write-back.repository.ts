import type { Camelized, Narrow, PgRow, Pool, Queryable } from '@pims/db';
import type { BookingDbRow } from './bookings.repository';

export type WriteBackAction = 'create' | 'cancel';
export type OutboxOutcome = 'written' | 'conflict' | 'needs_review' | 'failed' | 'dropped';

/** A write_back_outbox row as node-postgres answers it, action and outcome narrowed to their check constraints. */
type OutboxDbRow = Narrow<PgRow<'write_back_outbox'>, { action: WriteBackAction; outcome: OutboxOutcome | null }>;

/** One request for a PIMS write of a booking (public.write_back_outbox); jobId: the queue job that delivers it. */
export type OutboxRow = Camelized<OutboxDbRow>;

/** The bookings columns write-back reads (BOOKING_COLUMNS). */
type WriteBackBookingRow = Pick<
  BookingDbRow,
  | 'id'
  | 'clinic_id'
  | 'slot_id'
  | 'status'
  | 'confirmation_number'
  | 'date'
  | 'start_time'
  | 'end_time'
  | 'starts_at'
  | 'client'
  | 'patient'
  | 'reason'
  | 'cancel_reason'
  | 'write_back_status'
  | 'write_back_attempts'
  | 'write_back_error'
  | 'pims_appointment_id'
  | 'pims_client_id'
  | 'pims_patient_id'
  | 'pims_replaced_appointment_id'
>;

/**
 * A booking as write-back reads it: what to write, and what earlier attempts found or made. date,
 * startTime and endTime are clinic-local ('YYYY-MM-DD', 'HH:MM:SS').
 */
export interface WriteBackBooking
  extends Camelized<Omit<WriteBackBookingRow, 'write_back_attempts' | 'write_back_error' | 'pims_replaced_appointment_id'>> {
  attempts: WriteBackBookingRow['write_back_attempts'];
  error: WriteBackBookingRow['write_back_error'];
  /** The appointment a reschedule replaces: cancelled before the new one is booked. */
  replacedAppointmentId: WriteBackBookingRow['pims_replaced_appointment_id'];
}

type SlotDbRow = Pick<PgRow<'schedule_slots'>, 'id' | 'date' | 'start_time' | 'end_time' | 'capacity'>;

/** The seats of a booking's slot (public.schedule_slots), for the check against the PIMS's calendar. */
export type WriteBackSlot = Camelized<SlotDbRow>;

type WriteDefaultsRow = Pick<PgRow<'clinic_schedule_config'>, 'write_appointment_type_id' | 'write_room_id' | 'write_provider_id'>;

/** The clinic's choices for what written bookings get (clinic_schedule_config.write_*; null: the PIMS's calendar set-up decides). */
export interface ClinicWriteDefaults {
  appointmentTypeId: WriteDefaultsRow['write_appointment_type_id'];
  roomId: WriteDefaultsRow['write_room_id'];
  providerId: WriteDefaultsRow['write_provider_id'];
}

/** The final state a write-back records in its booking's row (guarded: only from 'pending'). */
export interface WriteBackEnd {
  status: WriteBackBookingRow['write_back_status'];
  error: WriteBackBookingRow['write_back_error'];
  /** pims_appointment_id and pims_replaced_appointment_id, set when given (undefined: left as it is; null: cleared). */
  appointmentId?: WriteBackBookingRow['pims_appointment_id'];
  replacedAppointmentId?: WriteBackBookingRow['pims_replaced_appointment_id'];
}

/** What a booking must still be for a step's result to apply: its status, and (for a create) its slot's date and start. */
export interface BookingExpectation {
  status: 'confirmed' | 'cancelled';
  date?: string;
  startTime?: string;
}

/** The where-clause of a BookingExpectation, its three parameters from `first`. */
const EXPECTED = (first: number) =>
  `b.status = $${first} and ($${first + 1}::date is null or b.date = $${first + 1}::date) and ($${first + 2}::time is null or b.start_time = $${first + 2}::time)`;
const expectParams = (e: BookingExpectation) => [e.status, e.date ?? null, e.startTime ?? null];

const BOOKING_COLUMNS = `b.id, b.clinic_id, b.slot_id, b.status, b.confirmation_number, b.date, b.start_time, b.end_time, b.starts_at,
  b.client, b.patient, b.reason, b.cancel_reason, b.write_back_status, b.write_back_attempts, b.write_back_error,
  b.pims_appointment_id, b.pims_client_id, b.pims_patient_id, b.pims_replaced_appointment_id`;

/**
 * Owns all SQL of write-back: the outbox rows, the write-back columns of bookings (every state
 * change a guarded update), the slot a booking is checked against, and the clinic's write defaults.
 * Every method takes the connection to run on.
 */
export class WriteBackRepository {
  constructor(private readonly pool: Pool) {}

  /** A new outbox row for a booking; its first job's id is the row's id. */
  async insertOutbox(db: Queryable, bookingId: string, action: WriteBackAction): Promise<OutboxRow> {
    const { rows } = await db.query<OutboxDbRow>(
      `with id as (select gen_random_uuid() as id)
       insert into public.write_back_outbox (id, booking_id, clinic_id, action, job_id)
       select id.id, b.id, b.clinic_id, $2, id.id from public.bookings b, id where b.id = $1
       returning *`,
      [bookingId, action],
    );
    if (!rows[0]) throw new Error(`No booking ${bookingId} to write back`);
    return toOutbox(rows[0]);
  }

  /** The booking's rows not processed yet, oldest first. */
  async unprocessed(db: Queryable, bookingId: string): Promise<OutboxRow[]> {
    const { rows } = await db.query<OutboxDbRow>(
      `select * from public.write_back_outbox where booking_id = $1 and processed_at is null order by created_at, id`,
      [bookingId],
    );
    return rows.map(toOutbox);
  }

  async findOutbox(db: Queryable, id: string): Promise<OutboxRow | null> {
    const { rows } = await db.query<OutboxDbRow>(`select * from public.write_back_outbox where id = $1`, [id]);
    return rows[0] ? toOutbox(rows[0]) : null;
  }

  /** Marks rows processed (those still open), with how their write-back ended. */
  async markProcessed(db: Queryable, ids: string[], outcome: OutboxOutcome): Promise<number> {
    if (ids.length === 0) return 0;
    const { rowCount } = await db.query(
      `update public.write_back_outbox set processed_at = clock_timestamp(), outcome = $2 where id = any($1::uuid[]) and processed_at is null`,
      [ids, outcome],
    );
    return rowCount ?? 0;
  }

  /** Every open row of a booking processed with `outcome` (e.g. a create dropped by a cancel). */
  async settleOpen(db: Queryable, bookingId: string, outcome: OutboxOutcome, action?: WriteBackAction): Promise<number> {
    const { rowCount } = await db.query(
      `update public.write_back_outbox set processed_at = clock_timestamp(), outcome = $2
       where booking_id = $1 and processed_at is null and ($3::text is null or action = $3)`,
      [bookingId, outcome, action ?? null],
    );
    return rowCount ?? 0;
  }

  /**
   * Open rows whose job was sent more than `olderThanSeconds` ago (database clock): the sweep asks
   * the queue whether each still has a job that will deliver it.
   */
  async findUnsettled(olderThanSeconds: number, limit = 200, db: Queryable = this.pool): Promise<OutboxRow[]> {
    const { rows } = await db.query<OutboxDbRow>(
      `select * from public.write_back_outbox
       where processed_at is null and sent_at < now() - make_interval(secs => $1)
       order by sent_at, id limit $2`,
      [olderThanSeconds, limit],
    );
    return rows.map(toOutbox);
  }

  /** A new job id for an open row (the sweep sends it again). Null when it was processed meanwhile. */
  async renewJob(db: Queryable, id: string): Promise<OutboxRow | null> {
    const { rows } = await db.query<OutboxDbRow>(
      `update public.write_back_outbox set job_id = gen_random_uuid(), sent_at = clock_timestamp()
       where id = $1 and processed_at is null returning *`,
      [id],
    );
    return rows[0] ? toOutbox(rows[0]) : null;
  }

  async findBooking(db: Queryable, id: string): Promise<WriteBackBooking | null> {
    const { rows } = await db.query<WriteBackBookingRow>(`select ${BOOKING_COLUMNS} from public.bookings b where b.id = $1`, [id]);
    return rows[0] ? toBooking(rows[0]) : null;
  }

  /** The booking row locked for this transaction (a hook running in a booking change's transaction). */
  async lockBooking(db: Queryable, id: string): Promise<WriteBackBooking | null> {
    const { rows } = await db.query<WriteBackBookingRow>(`select ${BOOKING_COLUMNS} from public.bookings b where b.id = $1 for update`, [id]);
    return rows[0] ? toBooking(rows[0]) : null;
  }

  /** One more attempt of a pending write-back, counted before the PIMS is touched. Null when it is not pending. */
  async startAttempt(db: Queryable, id: string): Promise<WriteBackBooking | null> {
    const { rows } = await db.query<WriteBackBookingRow>(
      `update public.bookings b set write_back_attempts = b.write_back_attempts + 1
       where b.id = $1 and b.write_back_status = 'pending'
       returning ${BOOKING_COLUMNS}`,
      [id],
    );
    return rows[0] ? toBooking(rows[0]) : null;
  }

  /** A failed attempt's error (the write-back stays pending: it is retried). */
  async recordError(db: Queryable, id: string, error: string): Promise<boolean> {
    const { rowCount } = await db.query(
      `update public.bookings set write_back_error = $2 where id = $1 and write_back_status = 'pending'`,
      [id, error],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * A step's result: the PIMS client or patient matched or created, a replaced appointment cancelled
   * (undefined: left; null: cleared). Guarded: false when the write-back is not pending or the
   * booking is no longer what the step expected (its status, date and start).
   */
  async recordIds(
    db: Queryable,
    id: string,
    ids: { clientId?: string | null; patientId?: string | null; replacedAppointmentId?: string | null },
    expect: BookingExpectation,
  ): Promise<boolean> {
    const { rowCount } = await db.query(
      `update public.bookings b set
         pims_client_id = case when $2 then $3 else b.pims_client_id end,
         pims_patient_id = case when $4 then $5 else b.pims_patient_id end,
         pims_replaced_appointment_id = case when $6 then $7 else b.pims_replaced_appointment_id end
       where b.id = $1 and b.write_back_status = 'pending' and ${EXPECTED(8)}`,
      [
        id,
        ids.clientId !== undefined,
        ids.clientId ?? null,
        ids.patientId !== undefined,
        ids.patientId ?? null,
        ids.replacedAppointmentId !== undefined,
        ids.replacedAppointmentId ?? null,
        ...expectParams(expect),
      ],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * The appointment a create booked. A booking still confirmed is `written`; one cancelled while the
   * create ran keeps 'pending' (its cancel runs next, now knowing what to cancel). Null when the
   * write-back was no longer pending.
   */
  async recordWritten(db: Queryable, id: string, appointmentId: string, at: { date: string; startTime: string }): Promise<WriteBackBooking | null> {
    const { rows } = await db.query<WriteBackBookingRow>(
      `update public.bookings b set pims_appointment_id = $2, pims_replaced_appointment_id = null, write_back_error = null,
         write_back_status = case when b.status = 'confirmed' then 'written' else b.write_back_status end
       where b.id = $1 and b.write_back_status = 'pending' and b.date = $3::date and b.start_time = $4::time
       returning ${BOOKING_COLUMNS}`,
      [id, appointmentId, at.date, at.startTime],
    );
    return rows[0] ? toBooking(rows[0]) : null;
  }

  /**
   * An appointment booked for a slot the booking has left meanwhile (rescheduled while the create
   * ran): named as the one its next create replaces. False when one is named already.
   */
  async recordMovedAway(db: Queryable, id: string, appointmentId: string): Promise<boolean> {
    const { rowCount } = await db.query(
      `update public.bookings set pims_replaced_appointment_id = $2
       where id = $1 and write_back_status = 'pending' and pims_replaced_appointment_id is null and pims_appointment_id is null`,
      [id, appointmentId],
    );
    return (rowCount ?? 0) > 0;
  }

  /** pending -> the end given (conflict, needs_review, failed, written after a cancel, or null), when the booking is as expected. Guarded. */
  async finish(db: Queryable, id: string, end: WriteBackEnd, expect: BookingExpectation): Promise<WriteBackBooking | null> {
    const { rows } = await db.query<WriteBackBookingRow>(
      `update public.bookings b set write_back_status = $2, write_back_error = $3,
         pims_appointment_id = case when $4 then $5 else b.pims_appointment_id end,
         pims_replaced_appointment_id = case when $6 then $7 else b.pims_replaced_appointment_id end
       where b.id = $1 and b.write_back_status = 'pending' and ${EXPECTED(8)}
       returning ${BOOKING_COLUMNS}`,
      [
        id,
        end.status,
        end.error,
        end.appointmentId !== undefined,
        end.appointmentId ?? null,
        end.replacedAppointmentId !== undefined,
        end.replacedAppointmentId ?? null,
        ...expectParams(expect),
      ],
    );
    return rows[0] ? toBooking(rows[0]) : null;
  }

  /**
   * A cancelled booking whose PIMS side is to be undone: its write-back starts again ('pending', a
   * fresh budget). Called in the cancel's transaction.
   */
  async reopenForCancel(db: Queryable, id: string): Promise<WriteBackBooking | null> {
    const { rows } = await db.query<WriteBackBookingRow>(
      `update public.bookings b set write_back_status = 'pending', write_back_error = null, write_back_attempts = 0
       where b.id = $1 and b.status = 'cancelled'
       returning ${BOOKING_COLUMNS}`,
      [id],
    );
    return rows[0] ? toBooking(rows[0]) : null;
  }

  /** A cancelled booking with nothing in the PIMS: nothing to write (write_back_status null). */
  async clearForCancel(db: Queryable, id: string): Promise<WriteBackBooking | null> {
    const { rows } = await db.query<WriteBackBookingRow>(
      `update public.bookings b set write_back_status = null, write_back_error = null
       where b.id = $1 and b.status = 'cancelled'
       returning ${BOOKING_COLUMNS}`,
      [id],
    );
    return rows[0] ? toBooking(rows[0]) : null;
  }

  /**
   * A rescheduled booking (its write-back already set pending by the move): the appointment it had
   * becomes the one to replace. Never both set: a replaced one not cancelled yet stays the one.
   */
  async markReplaced(db: Queryable, id: string): Promise<WriteBackBooking | null> {
    const { rows } = await db.query<WriteBackBookingRow>(
      `update public.bookings b set pims_replaced_appointment_id = coalesce(b.pims_replaced_appointment_id, b.pims_appointment_id),
         pims_appointment_id = null
       where b.id = $1
       returning ${BOOKING_COLUMNS}`,
      [id],
    );
    return rows[0] ? toBooking(rows[0]) : null;
  }

  /** failed -> pending with a fresh budget (an admin's retry). Null when it is not failed. */
  async retryFailed(db: Queryable, id: string): Promise<WriteBackBooking | null> {
    const { rows } = await db.query<WriteBackBookingRow>(
      `update public.bookings b set write_back_status = 'pending', write_back_error = null, write_back_attempts = 0
       where b.id = $1 and b.write_back_status = 'failed'
       returning ${BOOKING_COLUMNS}`,
      [id],
    );
    return rows[0] ? toBooking(rows[0]) : null;
  }

  async slotOf(db: Queryable, slotId: string): Promise<WriteBackSlot | null> {
    const { rows } = await db.query<SlotDbRow>(`select id, date, start_time, end_time, capacity from public.schedule_slots where id = $1`, [slotId]);
    const r = rows[0];
    return r ? { id: r.id, date: r.date, startTime: r.start_time, endTime: r.end_time, capacity: r.capacity } : null;
  }

  async writeDefaults(clinicId: string, db: Queryable = this.pool): Promise<ClinicWriteDefaults> {
    const { rows } = await db.query<WriteDefaultsRow>(
      `select write_appointment_type_id, write_room_id, write_provider_id from public.clinic_schedule_config where clinic_id = $1`,
      [clinicId],
    );
    const r = rows[0];
    return { appointmentTypeId: r?.write_appointment_type_id ?? null, roomId: r?.write_room_id ?? null, providerId: r?.write_provider_id ?? null };
  }

  /** Sets the clinic's write defaults (each given field; null = from the PIMS's calendar set-up). False without a schedule row. */
  async setWriteDefaults(clinicId: string, d: Partial<ClinicWriteDefaults>, db: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await db.query(
      `update public.clinic_schedule_config set
         write_appointment_type_id = case when $2 then $3 else write_appointment_type_id end,
         write_room_id = case when $4 then $5 else write_room_id end,
         write_provider_id = case when $6 then $7 else write_provider_id end
       where clinic_id = $1`,
      [clinicId, d.appointmentTypeId !== undefined, d.appointmentTypeId ?? null, d.roomId !== undefined, d.roomId ?? null, d.providerId !== undefined, d.providerId ?? null],
    );
    return (rowCount ?? 0) > 0;
  }
}

function toOutbox(r: OutboxDbRow): OutboxRow {
  return {
    id: r.id,
    bookingId: r.booking_id,
    clinicId: r.clinic_id,
    action: r.action,
    jobId: r.job_id,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    processedAt: r.processed_at,
    outcome: r.outcome,
  };
}

function toBooking(r: WriteBackBookingRow): WriteBackBooking {
  return {
    id: r.id,
    clinicId: r.clinic_id,
    slotId: r.slot_id,
    status: r.status,
    confirmationNumber: r.confirmation_number,
    date: r.date,
    startTime: r.start_time,
    endTime: r.end_time,
    startsAt: r.starts_at,
    client: r.client,
    patient: r.patient,
    reason: r.reason,
    cancelReason: r.cancel_reason,
    writeBackStatus: r.write_back_status,
    attempts: r.write_back_attempts,
    error: r.write_back_error,
    pimsAppointmentId: r.pims_appointment_id,
    pimsClientId: r.pims_client_id,
    pimsPatientId: r.pims_patient_id,
    replacedAppointmentId: r.pims_replaced_appointment_id,
  };
}
