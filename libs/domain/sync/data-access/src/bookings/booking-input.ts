import { createHash } from 'node:crypto';
import type { CountryCode } from 'libphonenumber-js';
import { AppError } from '@pims/util';
import { BOOKING_SOURCES, type BookingSource } from '@pims/sync-contracts';
import type { BookingClient, BookingPatient } from '../repositories/bookings.repository';
import { requireE164 } from './phone';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

export interface BookInput {
  clinicId: string;
  slotId?: string;
  holdId?: string;
  client: { firstName: string; lastName: string; phone: string; email?: string };
  patient: { name: string; species?: string; breed?: string };
  reason: string;
  source?: BookingSource;
  idempotencyKey?: string;
}

/** A booking request with its strings checked and trimmed and its phone in E.164. */
export interface NormalizedBooking {
  slotId: string | null;
  holdId: string | null;
  client: BookingClient;
  patient: BookingPatient;
  reason: string;
  source: BookingSource;
  idempotencyKey: string | null;
  /** Digest of what the request asks for: the same idempotency key with another request is a conflict. */
  fingerprint: string;
}

const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINE_BREAKS = /[^\P{Cc}\t\n\r]/u;

function text(value: unknown, field: string, max: number, opts: { optional?: boolean; multiline?: boolean } = {}): string | undefined {
  if (value === undefined || value === null) {
    if (opts.optional) return undefined;
    throw invalid(`${field} is required`);
  }
  if (typeof value !== 'string') throw invalid(`${field} must be text`);
  const v = value.trim();
  if (v.length === 0) {
    if (opts.optional) return undefined;
    throw invalid(`${field} is required`);
  }
  if (v.length > max) throw invalid(`${field} is longer than ${max} characters`);
  if ((opts.multiline ? CONTROL_BUT_LINE_BREAKS : CONTROL).test(v)) throw invalid(`${field} must not contain control characters`);
  return v;
}

const invalid = (message: string) => new AppError('invalid_input', message, { status: 400 });

/**
 * Checks a booking request as the domain's last line (the routes validate with the contracts'
 * schemas first): names, reason and key are trimmed, the phone is read in the clinic's country.
 */
export function normalizeBooking(input: BookInput, phoneRegion: CountryCode): NormalizedBooking {
  if (!input || typeof input !== 'object') throw invalid('A booking request is required');
  const slotId = input.slotId ?? null;
  const holdId = input.holdId ?? null;
  if (slotId === null && holdId === null) throw invalid('Give a slotId or a holdId');
  if (slotId !== null && !isUuid(slotId)) throw new AppError('slot_not_found', 'No slot with this id', { status: 404 });
  if (holdId !== null && !isUuid(holdId)) throw new AppError('hold_not_found', 'No hold with this id', { status: 404 });
  const c = input.client ?? ({} as BookInput['client']);
  const p = input.patient ?? ({} as BookInput['patient']);
  const email = text(c.email, 'client.email', 254, { optional: true });
  if (email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalid('client.email is not an email address');
  const client: BookingClient = {
    firstName: text(c.firstName, 'client.firstName', 100)!,
    lastName: text(c.lastName, 'client.lastName', 100)!,
    phone: requireE164(text(c.phone, 'client.phone', 40)!, phoneRegion),
    ...(email !== undefined ? { email } : {}),
  };
  const species = text(p.species, 'patient.species', 100, { optional: true });
  const breed = text(p.breed, 'patient.breed', 100, { optional: true });
  const patient: BookingPatient = {
    name: text(p.name, 'patient.name', 100)!,
    ...(species !== undefined ? { species } : {}),
    ...(breed !== undefined ? { breed } : {}),
  };
  const reason = text(input.reason, 'reason', 1000, { multiline: true })!;
  const source = input.source ?? 'api';
  if (!BOOKING_SOURCES.includes(source)) throw invalid(`source must be one of ${BOOKING_SOURCES.join(', ')}`);
  const idempotencyKey = text(input.idempotencyKey, 'idempotencyKey', 200, { optional: true }) ?? null;
  // A booking from a hold is about that hold; the slot it names (if any) is checked against it.
  const target = holdId !== null ? { holdId } : { slotId };
  const fingerprint = createHash('sha256').update(JSON.stringify({ target, client, patient, reason, source })).digest('hex');
  return { slotId, holdId, client, patient, reason, source, idempotencyKey, fingerprint };
}
