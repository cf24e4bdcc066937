/** Request counters, in the exact shape of CONTRACT section 5. */
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

export interface Counters {
  requests: Record<Endpoint, number>;
  logins: number;
  errors: number;
  rateLimited: number;
}

export interface SimStats extends Counters {
  byCompany: Record<string, Counters>;
}

function emptyCounters(): Counters {
  return {
    requests: Object.fromEntries(ENDPOINTS.map((e) => [e, 0])) as Record<Endpoint, number>,
    logins: 0,
    errors: 0,
    rateLimited: 0,
  };
}

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

export class StatsRecorder {
  private total = emptyCounters();
  private byCompany = new Map<string, Counters>();

  private each(companyId: string | null, fn: (c: Counters) => void): void {
    fn(this.total);
    if (companyId) {
      let c = this.byCompany.get(companyId);
      if (!c) {
        c = emptyCounters();
        this.byCompany.set(companyId, c);
      }
      fn(c);
    }
  }

  request(endpoint: Endpoint, companyId: string | null): void {
    this.each(companyId, (c) => (c.requests[endpoint] += 1));
  }
  login(companyId: string): void {
    this.each(companyId, (c) => (c.logins += 1));
  }
  error(companyId: string | null): void {
    this.each(companyId, (c) => (c.errors += 1));
  }
  rateLimited(companyId: string | null): void {
    this.each(companyId, (c) => (c.rateLimited += 1));
  }

  snapshot(): SimStats {
    const copy = (c: Counters): Counters => ({ ...c, requests: { ...c.requests } });
    return {
      ...copy(this.total),
      byCompany: Object.fromEntries([...this.byCompany].map(([k, v]) => [k, copy(v)])),
    };
  }

  reset(): void {
    this.total = emptyCounters();
    this.byCompany.clear();
  }
}
