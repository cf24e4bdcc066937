import type { AppointmentStatus } from '@pims/pims';

/** Neo's status words (and close variants seen in other installs) to the normalized statuses. */
const STATUS_WORDS: Record<string, AppointmentStatus> = {
  'not arrived': 'scheduled',
  'not yet arrived': 'scheduled',
  booked: 'scheduled',
  scheduled: 'scheduled',
  pending: 'scheduled',
  unconfirmed: 'scheduled',
  confirmed: 'confirmed',
  arrived: 'checked_in',
  'checked in': 'checked_in',
  'check in': 'checked_in',
  waiting: 'checked_in',
  'in progress': 'in_progress',
  'in consult': 'in_progress',
  'in consultation': 'in_progress',
  'with vet': 'in_progress',
  'ready to pay': 'completed',
  finalized: 'completed',
  finalised: 'completed',
  completed: 'completed',
  complete: 'completed',
  paid: 'completed',
  'checked out': 'completed',
  departed: 'completed',
  'no show': 'no_show',
  noshow: 'no_show',
  'did not attend': 'no_show',
  'did not arrive': 'no_show',
  dna: 'no_show',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  cancellation: 'cancelled',
};

/** Lower case, underscores/hyphens/runs of spaces to one space, a "status-" CSS prefix removed. */
export function normalizeStatusWord(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/^status[-_\s]+/, '')
    .replace(/[\s_-]+/g, ' ')
    .trim();
}

/** The normalized status of a Neo status word, or null when the word is not known. */
export function knownNeoStatus(raw: string | null | undefined): AppointmentStatus | null {
  if (typeof raw !== 'string') return null;
  const word = normalizeStatusWord(raw);
  if (word === '') return null;
  return STATUS_WORDS[word] ?? null;
}

/**
 * Maps Neo's status words to the normalized status (CONTRACT section 5):
 * not arrived -> scheduled, confirmed -> confirmed, arrived -> checked_in, in progress -> in_progress,
 * ready to pay / finalized -> completed, no show -> no_show, cancelled -> cancelled.
 * Any case, spaces or underscores. An unknown word maps to 'scheduled' (the caller keeps the raw word).
 */
export function mapNeoStatus(raw: string | null | undefined, opts: { cancelledReason?: string | null } = {}): AppointmentStatus {
  const known = knownNeoStatus(raw);
  if (known) return known;
  // Neo gives cancelled appointments a cancelled reason; use it when the status word says nothing known.
  if (typeof opts.cancelledReason === 'string' && opts.cancelledReason.trim() !== '') return 'cancelled';
  return 'scheduled';
}
