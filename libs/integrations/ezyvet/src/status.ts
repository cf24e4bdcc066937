import type { AppointmentStatus } from '@pims/pims';

/**
 * ezyVet status names (a per-site list; these are the usual ones and the simulator's, see
 * docs/ezyvet-wire.md section 5) to the normalized statuses.
 */
const STATUS_WORDS: Record<string, AppointmentStatus> = {
  unconfirmed: 'scheduled',
  'not confirmed': 'scheduled',
  scheduled: 'scheduled',
  booked: 'scheduled',
  pending: 'scheduled',
  'not arrived': 'scheduled',
  confirmed: 'confirmed',
  arrived: 'checked_in',
  'checked in': 'checked_in',
  waiting: 'checked_in',
  'in clinic': 'checked_in',
  'in consult': 'in_progress',
  'in progress': 'in_progress',
  'with vet': 'in_progress',
  'ready for checkout': 'completed',
  'ready to pay': 'completed',
  departed: 'completed',
  completed: 'completed',
  complete: 'completed',
  'checked out': 'completed',
  finalised: 'completed',
  finalized: 'completed',
  paid: 'completed',
  discharged: 'completed',
  'no show': 'no_show',
  noshow: 'no_show',
  'did not attend': 'no_show',
  dna: 'no_show',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

/** Lower case; runs of spaces, underscores and hyphens as one space. */
export function normalizeStatusName(raw: string): string {
  return raw.trim().toLowerCase().replace(/[\s_-]+/g, ' ').trim();
}

/** The normalized status of an ezyVet status name, or null when the name is not known. */
export function knownEzyvetStatus(name: string | null | undefined): AppointmentStatus | null {
  if (typeof name !== 'string') return null;
  const word = normalizeStatusName(name);
  return word === '' ? null : (STATUS_WORDS[word] ?? null);
}

/**
 * The normalized status of an appointment: by its status name; an unknown name is 'scheduled',
 * or 'cancelled' when the appointment carries a cancellation reason.
 */
export function mapEzyvetStatus(name: string | null | undefined, opts: { cancellationReason?: string | null } = {}): AppointmentStatus {
  const known = knownEzyvetStatus(name);
  if (known) return known;
  if (typeof opts.cancellationReason === 'string' && opts.cancellationReason.trim() !== '') return 'cancelled';
  return 'scheduled';
}
