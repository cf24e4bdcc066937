import type { PostgrestError } from '@supabase/supabase-js';
import type { Database, Json, Tables } from '@pims/db';
import { AppError } from '@pims/util-core';
import type { PimsSupabaseClient } from './client';

type SlotAvailability = Database['public']['Functions']['slot_availability']['Returns'][number];

/** A slot with room: public.slot_availability's row (capacity, taken, available as the booking API counts them). */
export type FreeSlot = SlotAvailability;

/** A case whose visit is completed, with what a discharge call needs from its metadata. */
export type DischargeCallCase = Flat<
  Pick<
    Tables<'cases'>,
    'id' | 'clinic_id' | 'external_id' | 'source' | 'status' | 'scheduled_at' | 'updated_at'
  > & {
    /** metadata.pimsAppointment.client: {id, firstName, lastName, phone, email} as the PIMS gave them. */
    client: Json;
    /** metadata.pimsAppointment.patient: {id, name, species, breed}, or null. */
    patient: Json;
    /** metadata.pimsConsultation.dischargeSummary; null when the consultation has none or was not fetched (supabase-js types a ->> path as string). */
    discharge_summary: string | null;
  }
>;

/** One object type instead of an intersection (readable in an editor, comparable in type tests). */
type Flat<T> = { [K in keyof T]: T[K] };

/** A booking as another app reads it: no idempotency key or request fingerprint. */
export type BookingByConfirmation = Pick<
  Tables<'bookings'>,
  | 'id'
  | 'clinic_id'
  | 'slot_id'
  | 'status'
  | 'confirmation_number'
  | 'starts_at'
  | 'date'
  | 'start_time'
  | 'end_time'
  | 'client'
  | 'patient'
  | 'reason'
  | 'source'
  | 'write_back_status'
  | 'pims_appointment_id'
  | 'confirmed_at'
  | 'rescheduled_at'
  | 'cancelled_at'
  | 'cancel_reason'
  | 'created_at'
  | 'updated_at'
>;

const LOCAL_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** CONTRACT 7: six characters without look-alikes (no 0/O, 1/I/L), as bookings_confirmation_number_check has them. */
const CONFIRMATION_NUMBER = /^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{6}$/;
const MAX_DAYS = 31;

// One string literal each: supabase-js types a select from its literal text (a concatenation is just a string).
const CASE_COLUMNS =
  'id, clinic_id, external_id, source, status, scheduled_at, updated_at, client:metadata->pimsAppointment->client, patient:metadata->pimsAppointment->patient, discharge_summary:metadata->pimsConsultation->>dischargeSummary';
const BOOKING_COLUMNS =
  'id, clinic_id, slot_id, status, confirmation_number, starts_at, date, start_time, end_time, client, patient, reason, source, write_back_status, pims_appointment_id, confirmed_at, rescheduled_at, cancelled_at, cancel_reason, created_at, updated_at';

const invalid = (message: string) => new AppError('validation_error', message, { status: 400 });

function checkUuid(name: string, value: string): void {
  if (!UUID.test(value)) throw invalid(`${name} must be a uuid, got ${JSON.stringify(value)}`);
}

function checkInstant(name: string, value: Date): string {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw invalid(`${name} must be a valid Date`);
  return value.toISOString();
}

function failed(what: string, error: PostgrestError): AppError {
  return new AppError('supabase_query_failed', `${what} failed: ${error.message}`, {
    status: 502,
    details: { postgrestCode: error.code },
    cause: error,
  });
}

export interface FreeSlotsQuery {
  clinicId: string;
  /** Clinic-local dates 'YYYY-MM-DD', both included, at most 31 days apart (as the booking API allows). */
  from: string;
  to: string;
  /** Slots that start after this instant (default: now); holds count until their expiry at this instant. */
  now?: Date;
}

/**
 * The slots of a clinic with room for one more booking, between two clinic-local dates: rows of
 * public.slot_availability (the function the booking API counts seats with: taken = the slot's
 * synced PIMS appointments + its confirmed bookings not linked yet + its live holds; available =
 * capacity - taken), open (capacity > 0), with available >= 1, starting after `now`, in time order.
 * The function is granted to service_role only: call this with the service-role key.
 */
export function freeSlotsQuery(client: PimsSupabaseClient, q: FreeSlotsQuery) {
  checkUuid('clinicId', q.clinicId);
  for (const [name, value] of [
    ['from', q.from],
    ['to', q.to],
  ] as const) {
    if (!LOCAL_DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
      throw invalid(`${name} must be a local date YYYY-MM-DD, got ${JSON.stringify(value)}`);
    }
  }
  const days = (Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / 86_400_000;
  if (days < 0) throw invalid(`to (${q.to}) is before from (${q.from})`);
  if (days > MAX_DAYS - 1) throw invalid(`from .. to spans ${days + 1} days; at most ${MAX_DAYS}`);
  const now = checkInstant('now', q.now ?? new Date());
  return client
    .rpc('slot_availability', { p_clinic_id: q.clinicId, p_from: q.from, p_to: q.to, p_now: now })
    .gt('capacity', 0)
    .gte('available', 1)
    .gt('starts_at', now)
    .order('starts_at')
    .order('slot_id');
}

export async function freeSlots(client: PimsSupabaseClient, q: FreeSlotsQuery): Promise<FreeSlot[]> {
  const { data, error } = await freeSlotsQuery(client, q);
  if (error) throw failed('freeSlots', error);
  return data ?? [];
}

export interface DischargeCallQuery {
  /** Cases the sync changed at or after this instant (updated_at). */
  since: Date;
  /** One clinic's cases; all clinics when left out. */
  clinicId?: string;
  /** At most this many, oldest change first (default 500, at most 1000, PostgREST's usual max rows). */
  limit?: number;
}

/**
 * Cases ready for a discharge call: the visit is completed in the PIMS (status 'completed'), the
 * case is not soft-deleted, the PIMS gave the client a phone number, and the sync wrote the case at
 * or after `since` (updated_at), oldest first. A case is written again when its consultation
 * arrives or changes, so it can come back in a later window: callers keep the ids they called.
 * updated_at is the writing transaction's start, so a poller that moves `since` to the last
 * updated_at it saw should look a little further back (a sync transaction lasts seconds).
 */
export function casesReadyForDischargeCallQuery(client: PimsSupabaseClient, q: DischargeCallQuery) {
  const since = checkInstant('since', q.since);
  const limit = q.limit ?? 500;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw invalid(`limit must be a whole number from 1 to 1000, got ${limit}`);
  let query = client
    .from('cases')
    .select(CASE_COLUMNS)
    .eq('status', 'completed')
    .is('deleted_at', null)
    .not('metadata->pimsAppointment->client->>phone', 'is', null)
    .gte('updated_at', since);
  if (q.clinicId !== undefined) {
    checkUuid('clinicId', q.clinicId);
    query = query.eq('clinic_id', q.clinicId);
  }
  return query.order('updated_at').order('id').limit(limit);
}

export async function casesReadyForDischargeCall(
  client: PimsSupabaseClient,
  q: DischargeCallQuery,
): Promise<DischargeCallCase[]> {
  const { data, error } = await casesReadyForDischargeCallQuery(client, q);
  if (error) throw failed('casesReadyForDischargeCall', error);
  return data ?? [];
}

export interface BookingByConfirmationQuery {
  clinicId: string;
  /** As a caller reads it out: case, spaces and dashes do not matter ('abc-234' is 'ABC234'). */
  confirmationNumber: string;
}

/** The clinic's booking with this confirmation number (unique per clinic), or null. */
export function bookingByConfirmationNumberQuery(client: PimsSupabaseClient, q: BookingByConfirmationQuery) {
  checkUuid('clinicId', q.clinicId);
  const number = q.confirmationNumber.replace(/[\s-]/g, '').toUpperCase();
  if (!CONFIRMATION_NUMBER.test(number)) {
    throw invalid(
      `confirmationNumber must be 6 characters of ABCDEFGHJKMNPQRSTUVWXYZ23456789, got ${JSON.stringify(q.confirmationNumber)}`,
    );
  }
  return client
    .from('bookings')
    .select(BOOKING_COLUMNS)
    .eq('clinic_id', q.clinicId)
    .eq('confirmation_number', number)
    .maybeSingle();
}

export async function bookingByConfirmationNumber(
  client: PimsSupabaseClient,
  q: BookingByConfirmationQuery,
): Promise<BookingByConfirmation | null> {
  const { data, error } = await bookingByConfirmationNumberQuery(client, q);
  if (error) throw failed('bookingByConfirmationNumber', error);
  return data;
}
