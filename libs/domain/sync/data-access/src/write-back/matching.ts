import type { CountryCode } from 'libphonenumber-js';
import type { AppointmentsResult, PimsClientMatch } from '@pims/pims';
import { toE164 } from '../bookings/phone';
import { holdsSlot } from '../services/status-mapping';

/** Two phone numbers are one when their E.164 forms agree (each read in the clinic's notation); digits when one cannot be read. */
export function samePhoneE164(a: string | null | undefined, b: string, region: CountryCode): boolean {
  if (!a) return false;
  const x = toE164(a, region);
  const y = toE164(b, region);
  if (x && y) return x === y;
  const da = a.replace(/\D/g, '');
  const db = b.replace(/\D/g, '');
  return da.length >= 7 && da.slice(-10) === db.slice(-10);
}

const folded = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

/** The clients that hold this phone (any of their numbers), compared in E.164. */
export function clientsWithPhone(found: PimsClientMatch[], phone: string, region: CountryCode): PimsClientMatch[] {
  return distinct(found.filter((c) => [c.phone, ...c.phones].some((p) => samePhoneE164(p, phone, region))));
}

/** The clients with this email, ignoring case. */
export function clientsWithEmail(found: PimsClientMatch[], email: string): PimsClientMatch[] {
  return distinct(found.filter((c) => c.email !== null && folded(c.email) === folded(email)));
}

/** The client's patients with this name, ignoring case (and surrounding spaces). */
export function patientsNamed(client: PimsClientMatch, name: string): PimsClientMatch['patients'] {
  const seen = new Set<string>();
  return client.patients.filter((p) => folded(p.name) === folded(name) && !seen.has(p.patientId) && seen.add(p.patientId));
}

function distinct(cs: PimsClientMatch[]): PimsClientMatch[] {
  const seen = new Set<string>();
  return cs.filter((c) => !seen.has(c.clientId) && seen.add(c.clientId));
}

/** 'HH:MM:SS' or 'HH:MM' as minutes of the day ('24:00' = 1440). */
const minutes = (t: string) => {
  const [h, m] = t.split(':').map(Number);
  return h * 60 + m;
};

/**
 * How many live appointments (not cancelled, not a no-show) of the calendar start inside the slot
 * [startTime, endTime) of `date`, the way the forward sync places an appointment in the slot its
 * start falls in; those whose id is in `ours` left out.
 */
export function liveInSlot(calendar: AppointmentsResult, slot: { date: string; startTime: string; endTime: string }, ours: ReadonlySet<string> = new Set()): number {
  const from = minutes(slot.startTime);
  const to = minutes(slot.endTime) || 1440;
  return calendar.appointments.filter((a) => {
    if (a.date !== slot.date || !holdsSlot(a.status) || ours.has(a.id)) return false;
    const t = minutes(a.startTime);
    return t >= from && t < to;
  }).length;
}
