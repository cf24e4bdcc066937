import type { PimsRequestEvent, PimsRequestObserver, PimsRequestOutcome } from '@pims/pims';

/** The Neo endpoints the client calls, by the names the simulator's stats use. */
export type NeoEndpoint =
  | 'login'
  | 'getCalendarEventData'
  | 'getAppointmentView'
  | 'getAppointment'
  | 'consultationPageData'
  /** A logged-in page read for its CSRF token (`/dashboard`). */
  | 'dashboard'
  | 'searchPatients'
  | 'searchClients'
  | 'createClient'
  | 'createPatient'
  | 'createAppointment'
  | 'deleteAppointment';

export const NEO_ENDPOINTS: readonly NeoEndpoint[] = [
  'login',
  'getCalendarEventData',
  'getAppointmentView',
  'getAppointment',
  'consultationPageData',
  'dashboard',
  'searchPatients',
  'searchClients',
  'createClient',
  'createPatient',
  'createAppointment',
  'deleteAppointment',
];

/** One HTTP exchange with Neo, reported to `onRequest` (never carries credentials). */
export interface NeoRequestEvent {
  endpoint: NeoEndpoint;
  /** Path without the query string. */
  path: string;
  companyId: string | null;
  /** HTTP status, or null when no answer came (network error, timeout). */
  status: number | null;
  /**
   * ok: done; not_found: 404; expired: the session had ended (a log-in follows); retry: a transient
   * failure, another attempt follows; csrf: a write's CSRF token was refused (it is read again, the
   * write sent once more); failed: the call gives up; auth_failed / mfa_required: log-in refused.
   */
  outcome: 'ok' | 'not_found' | 'expired' | 'retry' | 'csrf' | 'failed' | 'auth_failed' | 'mfa_required';
  /** 1 for the first attempt of a call. */
  attempt: number;
  durationMs: number;
  /** Why it was retried or failed (status, timeout, network code). */
  reason?: string;
}

export interface NeoSessionStats {
  /** HTTP requests made, log-in page loads and form posts included. */
  requests: number;
  byEndpoint: Record<NeoEndpoint, number>;
  /** Successful log-ins, the first one included. */
  logins: number;
  /** Log-ins made again because the session had expired. */
  relogins: number;
  /** Attempts repeated after a transient failure. */
  retries: number;
  /** 429 answers. */
  rateLimited: number;
  /** Calls that ended in an error. */
  failures: number;
}

function emptyStats(): NeoSessionStats {
  return {
    requests: 0,
    byEndpoint: Object.fromEntries(NEO_ENDPOINTS.map((e) => [e, 0])) as Record<NeoEndpoint, number>,
    logins: 0,
    relogins: 0,
    retries: 0,
    rateLimited: 0,
    failures: 0,
  };
}

/** Counts one session's exchanges with Neo and reports each one to the provider's `onRequest` hook. */
export class NeoRequestStats {
  private readonly counters = emptyStats();

  constructor(
    private readonly companyId: string | null,
    private readonly onRequest?: (event: NeoRequestEvent) => void,
  ) {}

  /** One HTTP exchange (a log-in page load, a form post or a JSON call). */
  emit(event: Omit<NeoRequestEvent, 'companyId'>): void {
    this.counters.requests += 1;
    this.counters.byEndpoint[event.endpoint] += 1;
    if (event.status === 429) this.counters.rateLimited += 1;
    if (event.outcome === 'retry') this.counters.retries += 1;
    try {
      this.onRequest?.({ ...event, companyId: this.companyId });
    } catch {
      // A failing hook never breaks a sync.
    }
  }

  /** A call (or a log-in) that ended in an error. */
  failure(): void {
    this.counters.failures += 1;
  }

  login(): void {
    this.counters.logins += 1;
  }

  relogin(): void {
    this.counters.relogins += 1;
  }

  snapshot(): NeoSessionStats {
    return { ...this.counters, byEndpoint: { ...this.counters.byEndpoint } };
  }
}

/**
 * A Neo exchange as the port's request event: the endpoint is Neo's own word (one of
 * NEO_ENDPOINTS); the outcome is the exchange's, not the call's (a retried 502 is an `error`, the
 * attempt after it another event). A session that had ended (a log-in follows), a refused CSRF token
 * and a timeout are errors too; a refused log-in (or its MFA step) is auth_failed.
 */
export function toPimsRequestEvent(event: NeoRequestEvent): PimsRequestEvent {
  let outcome: PimsRequestOutcome;
  if (event.status === 429) outcome = 'rate_limited';
  else if (event.outcome === 'ok') outcome = 'ok';
  else if (event.outcome === 'not_found') outcome = 'not_found';
  else if (event.outcome === 'auth_failed' || event.outcome === 'mfa_required') outcome = 'auth_failed';
  else outcome = 'error';
  return { provider: 'idexx_neo', endpoint: event.endpoint, outcome, durationMs: event.durationMs };
}

/** One `onRequest` hook that tells both: the provider's own hook and the port's observer. */
export function requestHook(onRequest?: (event: NeoRequestEvent) => void, observer?: PimsRequestObserver): ((event: NeoRequestEvent) => void) | undefined {
  if (!observer) return onRequest;
  return (event) => {
    onRequest?.(event);
    observer(toPimsRequestEvent(event));
  };
}
