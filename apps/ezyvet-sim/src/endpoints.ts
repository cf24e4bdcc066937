import type { Counters as SharedCounters, SimStats as SharedSimStats } from '@pims/sim-scenario';

/**
 * The ezyVet endpoints the simulator serves (docs/ezyvet-wire.md), each under its stats word
 * (section 9). A list resource answers `GET <path>` (filters, paging) and `GET <path>/<id>`.
 */
export const LIST_RESOURCES = {
  appointment: '/v2/appointment',
  appointmenttype: '/v2/appointmenttype',
  appointmentstatus: '/v1/appointmentstatus',
  resource: '/v2/resource',
  consult: '/v1/consult',
  assessment: '/v1/assessment',
  plan: '/v1/plan',
  presentingproblem: '/v1/presentingproblem',
  presentingproblemlink: '/v1/presentingproblemlink',
  invoiceline: '/v1/invoiceline',
  animal: '/v1/animal',
  contact: '/v1/contact',
  contactdetail: '/v1/contactdetail',
  contactdetailtype: '/v1/contactdetailtype',
  species: '/v1/species',
  breed: '/v1/breed',
  siteinformation: '/v3/siteInformation',
} as const;
export type Resource = keyof typeof LIST_RESOURCES;
export const RESOURCES = Object.keys(LIST_RESOURCES) as Resource[];

export const TOKEN_PATH = '/v1/oauth/access_token';
export const BOOKING_PATH = '/ezycab/booking';

export const WRITE_ENDPOINTS = [
  'booking',
  'cancelAppointment',
  'createContact',
  'createContactDetail',
  'createAnimal',
] as const;
export type WriteEndpoint = (typeof WRITE_ENDPOINTS)[number];

export const ENDPOINTS = ['oauth', ...RESOURCES, ...WRITE_ENDPOINTS] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export type Counters = SharedCounters<Endpoint>;
export type SimStats = SharedSimStats<Endpoint>;

/** What a request is, for counting, the rate limit and the faults. */
export interface RouteKind {
  /** Its counter in the stats. */
  counter: Endpoint;
  /** The rate limit's endpoint: the path without ids. */
  limitKey: string;
  /** A read of a list resource (with the record id when it asked for one). */
  read: Resource | null;
  write: WriteEndpoint | null;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const BY_PATH = new Map<string, Resource>(RESOURCES.map((r) => [LIST_RESOURCES[r].toLowerCase(), r]));

/** The route of an ezyVet request, or null (not an endpoint: 404). Paths compare without case and trailing slash. */
export function routeOf(method: string, rawPath: string): (RouteKind & { id: string | null }) | null {
  const path = rawPath.replace(/\/+$/, '') || '/';
  const lower = path.toLowerCase();
  if (lower === TOKEN_PATH)
    return method === 'POST'
      ? { counter: 'oauth', limitKey: TOKEN_PATH, read: null, write: null, id: null }
      : null;
  if (lower === BOOKING_PATH)
    return method === 'POST'
      ? { counter: 'booking', limitKey: BOOKING_PATH, read: null, write: 'booking', id: null }
      : null;
  const list = BY_PATH.get(lower);
  const m = /^(\/v\d\/[a-z]+)\/([^/]+)$/i.exec(path);
  const item = m ? BY_PATH.get(m[1].toLowerCase()) : undefined;
  const resource = list ?? item;
  if (!resource) return null;
  const limitKey = LIST_RESOURCES[resource];
  const id = item ? safeDecode(m![2]) : null;
  if (method === 'GET' || method === 'HEAD')
    return { counter: resource, limitKey, read: resource, write: null, id };
  if (method === 'PATCH' && resource === 'appointment' && id !== null)
    return { counter: 'cancelAppointment', limitKey, read: null, write: 'cancelAppointment', id };
  if (method === 'POST' && id === null) {
    const write: WriteEndpoint | null =
      resource === 'contact'
        ? 'createContact'
        : resource === 'contactdetail'
          ? 'createContactDetail'
          : resource === 'animal'
            ? 'createAnimal'
            : null;
    if (write) return { counter: write, limitKey, read: null, write, id };
  }
  return null;
}
