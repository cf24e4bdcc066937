import type { Counters as SharedCounters, SimStats as SharedSimStats } from '@pims/sim-scenario';

/** Neo's counted endpoints, in the exact shape of CONTRACT section 5. */
export const ENDPOINTS = [
  'login',
  'getCalendarEventData',
  'getAppointmentView',
  'getAppointment',
  'consultationPageData',
  'createAppointment',
  'deleteAppointment',
  'searchPatients',
  'createClient',
  'createPatient',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** The Neo simulator's counters (CONTRACT section 5's shape, Neo's endpoint names). */
export type Counters = SharedCounters<Endpoint>;
export type SimStats = SharedSimStats<Endpoint>;

/** The Neo write endpoints (POST, with the session's CSRF token). */
export const WRITE_ENDPOINTS = [
  'createAppointment',
  'deleteAppointment',
  'createClient',
  'createPatient',
] as const;
export type WriteEndpoint = (typeof WRITE_ENDPOINTS)[number];

/** What a Neo request is, for counting and for the faults. */
export interface RouteKind {
  /** Its counter in the stats, if it has one. */
  counter: Endpoint | null;
  /** A JSON endpoint (read, search or write): subject to errorRate and rateLimitEvery. */
  json: boolean;
  /** A write: needs the CSRF token, subject to commitThenFail. */
  write: WriteEndpoint | null;
}

const NONE: RouteKind = { counter: null, json: false, write: null };

export function routeKind(method: string, path: string): RouteKind {
  if (method === 'POST') {
    if (path === '/login' || path === '/login/') return { counter: 'login', json: false, write: null };
    const write: WriteEndpoint | null =
      path === '/appointments/create'
        ? 'createAppointment'
        : /^\/appointments\/delete\/[^/]+\/?$/.test(path)
          ? 'deleteAppointment'
          : path === '/clients/create'
            ? 'createClient'
            : path === '/patients/create'
              ? 'createPatient'
              : null;
    return write ? { counter: write, json: true, write } : NONE;
  }
  if (method !== 'GET' && method !== 'HEAD') return NONE;
  const read = (counter: Endpoint | null): RouteKind => ({ counter, json: true, write: null });
  if (path === '/appointments/getCalendarEventData') return read('getCalendarEventData');
  if (path === '/appointments/getAppointmentView') return read('getAppointmentView');
  if (path === '/appointments/getAppointment') return read('getAppointment');
  if (/^\/consultations\/[^/]+\/page-data\/?$/.test(path)) return read('consultationPageData');
  if (path === '/search/patients') return read('searchPatients');
  // Client search and the duplicate check have no counter of their own (CONTRACT's stats shape).
  if (path === '/clients/search' || path === '/clients/duplicateCheck') return read(null);
  return NONE;
}

/** Which counted endpoint a request is, if any. */
export function classify(method: string, path: string): Endpoint | null {
  return routeKind(method, path).counter;
}
