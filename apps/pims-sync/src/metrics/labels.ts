import type { NeoEndpoint } from '@pims/idexx-neo';
import { PIMS_PROVIDERS, type PimsRequestOutcome } from '@pims/pims';
import { BOOKING_SOURCES, PHASE_NAMES, PHASE_STATUSES, SYNC_STATUSES, SYNC_TYPES, WRITE_BACK_STATUSES } from '@pims/sync-contracts';

/**
 * Every label value of the metrics comes from a fixed list here: an id or an enum word, never a
 * name, a phone number or a secret. A value off its list is written `other`, so a bug upstream can
 * neither leak text into Prometheus nor grow a label without bound.
 */

export const OTHER = 'other';

/** Only letters and underscores: what an endpoint word may be, whatever its list says. */
const WORD = /^[A-Za-z_]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function oneOf<T extends string>(list: readonly T[]): (value: unknown) => T | typeof OTHER {
  const known = new Set<string>(list);
  return (value) => (typeof value === 'string' && known.has(value) ? (value as T) : OTHER);
}

/** IDEXX Neo's endpoints (the provider's own words; a compile error here when it adds one). */
const NEO_ENDPOINTS: Record<NeoEndpoint, true> = {
  login: true,
  getCalendarEventData: true,
  getAppointmentView: true,
  getAppointment: true,
  consultationPageData: true,
  dashboard: true,
  searchPatients: true,
  searchClients: true,
  createClient: true,
  createPatient: true,
  createAppointment: true,
  deleteAppointment: true,
};

/**
 * ezyVet's endpoints, by the words of docs/ezyvet-wire.md (its stats): the resource of the path
 * without ids (`/v2/appointment/123` is `appointment`), `oauth` for the token, and the write
 * actions by name.
 */
const EZYVET_ENDPOINTS = [
  'oauth',
  'appointment',
  'appointmenttype',
  'appointmentstatus',
  'resource',
  'consult',
  'assessment',
  'plan',
  'presentingproblem',
  'presentingproblemlink',
  'invoiceline',
  'animal',
  'contact',
  'contactdetail',
  'contactdetailtype',
  'species',
  'breed',
  'siteinformation',
  'booking',
  'cancelAppointment',
  'createContact',
  'createContactDetail',
  'createAnimal',
] as const;

export const ENDPOINTS_BY_PROVIDER: Record<(typeof PIMS_PROVIDERS)[number], ReadonlySet<string>> = {
  idexx_neo: new Set(Object.keys(NEO_ENDPOINTS)),
  ezyvet: new Set(EZYVET_ENDPOINTS),
};

export const PIMS_OUTCOMES: readonly PimsRequestOutcome[] = ['ok', 'error', 'rate_limited', 'auth_failed', 'not_found'];
/** Terminal statuses of a sync run (the audit's words). */
export const RUN_END_STATUSES = SYNC_STATUSES.filter((s) => s !== 'queued' && s !== 'in_progress');
/** What a booking event counts: the change that committed, or `unavailable` (refused: no seat). */
export const BOOKING_CHANGES = ['held', 'confirmed', 'cancelled', 'rescheduled', 'unavailable'] as const;
/** A booking event's source: the booking's, or `none` for a hold (it has none yet). */
export const BOOKING_EVENT_SOURCES = [...BOOKING_SOURCES, 'none'] as const;
export const WRITE_BACK_OUTCOMES = [...WRITE_BACK_STATUSES.filter((s) => s !== 'pending'), 'retry'] as const;
export const WRITE_BACK_ACTIONS = ['create', 'cancel'] as const;
/** The queues pims_sync_queue_depth and pims_sync_oldest_queued_seconds report (see database-gauges.ts). */
export const QUEUE_LABELS = ['sync_on_demand', 'sync_scheduled', 'write_back'] as const;

export const label = {
  syncType: oneOf(SYNC_TYPES),
  runStatus: oneOf(RUN_END_STATUSES),
  phase: oneOf(PHASE_NAMES),
  phaseStatus: oneOf(PHASE_STATUSES),
  provider: oneOf(PIMS_PROVIDERS),
  outcome: oneOf(PIMS_OUTCOMES),
  bookingChange: oneOf(BOOKING_CHANGES),
  bookingSource: (value: unknown) => (value == null ? 'none' : oneOf(BOOKING_SOURCES)(value)),
  writeBackOutcome: oneOf(WRITE_BACK_OUTCOMES),
  writeBackAction: oneOf(WRITE_BACK_ACTIONS),
  /** A provider's endpoint word, when it is one of that provider's fixed list. */
  endpoint(provider: string, value: unknown): string {
    const known = ENDPOINTS_BY_PROVIDER[provider as keyof typeof ENDPOINTS_BY_PROVIDER];
    return known && typeof value === 'string' && WORD.test(value) && known.has(value) ? value : OTHER;
  },
  /** A clinic's id (a lowercase uuid), never anything else. */
  clinicId: (value: unknown): string | null => (typeof value === 'string' && UUID.test(value) ? value : null),
};
