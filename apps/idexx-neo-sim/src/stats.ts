/** Request counters, in the exact shape of CONTRACT section 5. */
export const ENDPOINTS = [
  'login',
  'getCalendarEventData',
  'getAppointmentView',
  'getAppointment',
  'consultationPageData',
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
    requests: {
      login: 0,
      getCalendarEventData: 0,
      getAppointmentView: 0,
      getAppointment: 0,
      consultationPageData: 0,
    },
    logins: 0,
    errors: 0,
    rateLimited: 0,
  };
}

/** Which counted endpoint a request is, if any. */
export function classify(method: string, path: string): Endpoint | null {
  if (method === 'POST' && (path === '/login' || path === '/login/')) return 'login';
  if (method !== 'GET' && method !== 'HEAD') return null;
  if (path === '/appointments/getCalendarEventData') return 'getCalendarEventData';
  if (path === '/appointments/getAppointmentView') return 'getAppointmentView';
  if (path === '/appointments/getAppointment') return 'getAppointment';
  if (/^\/consultations\/[^/]+\/page-data\/?$/.test(path)) return 'consultationPageData';
  return null;
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
