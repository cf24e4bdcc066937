import {
  ActiveSyncsOutput,
  BookingView,
  CancelSyncOutput,
  ClinicSettings,
  CreateClinicOutput,
  ErrorBody,
  ListBookingsOutput,
  ListClinicsOutput,
  ScheduleOutput,
  SyncAudit,
  SyncHistoryOutput,
  TestConnectionOutput,
  TriggerSyncOutput,
  type BookingStatus,
  type CreateClinicInput,
  type TestCredentialsInput,
  type UpdateClinicInput,
  type WriteBackStatus,
  type TriggerCaseSyncInput,
  type TriggerFullSyncInput,
  type TriggerInboundSyncInput,
  type TriggerReconcileInput,
  type SyncStatus,
  type SyncType,
} from '@pims/sync-contracts';
import { z } from 'zod';

/**
 * The dashboard's typed client of the pims-sync HTTP API (CONTRACT section 2). Server-side only:
 * it holds the API key. Every answer is validated with the shared zod schemas, so a drifting
 * service fails loudly here instead of rendering garbage.
 */

/** pims-sync answered with its error body (4xx/5xx). */
export class PimsSyncError extends Error {
  readonly status: number;
  readonly code: string;
  readonly activeSyncId?: string;
  readonly issues?: unknown[];
  constructor(status: number, body: { code: string; message: string; activeSyncId?: string; issues?: unknown[] }) {
    super(body.message);
    this.name = 'PimsSyncError';
    this.status = status;
    this.code = body.code;
    this.activeSyncId = body.activeSyncId;
    this.issues = body.issues;
  }
}

/** pims-sync could not be reached, timed out, or answered something that is not the contract. */
export class PimsSyncUnavailableError extends Error {
  readonly reason: 'unreachable' | 'timeout' | 'bad_response' | 'not_configured';
  constructor(reason: PimsSyncUnavailableError['reason'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PimsSyncUnavailableError';
    this.reason = reason;
  }
}

export interface PimsSyncClientOptions {
  baseUrl: string;
  apiKey: string | undefined;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface HistoryFilters {
  clinicId?: string;
  type?: SyncType;
  status?: SyncStatus;
  limit?: number;
  cursor?: string;
}

export interface BookingFilters {
  clinicId?: string;
  status?: BookingStatus;
  writeBackStatus?: WriteBackStatus;
  limit?: number;
  cursor?: string;
}

const RetryWriteBackOutput = z.object({ bookingId: z.uuid(), writeBack: z.object({ status: z.literal('pending') }) });

/** A real PIMS log-in can take a browser start and a few page loads: longer than other calls. */
const TEST_CONNECTION_TIMEOUT_MS = 75_000;

export class PimsSyncClient {
  private readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: PimsSyncClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.apiKey = opts.apiKey;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  listClinics() {
    return this.request('GET', '/api/clinics', ListClinicsOutput);
  }

  triggerFullSync(input: TriggerFullSyncInput) {
    return this.request('POST', '/api/sync/full', TriggerSyncOutput, input);
  }

  triggerInboundSync(input: TriggerInboundSyncInput) {
    return this.request('POST', '/api/sync/inbound', TriggerSyncOutput, input);
  }

  triggerCaseSync(input: TriggerCaseSyncInput) {
    return this.request('POST', '/api/sync/cases', TriggerSyncOutput, input);
  }

  triggerReconcile(input: TriggerReconcileInput) {
    return this.request('POST', '/api/sync/reconcile', TriggerSyncOutput, input);
  }

  getSync(syncId: string) {
    return this.request('GET', `/api/sync/${encodeURIComponent(syncId)}`, SyncAudit);
  }

  getHistory(filters: HistoryFilters = {}) {
    return this.request('GET', `/api/sync/history${query(filters)}`, SyncHistoryOutput);
  }

  getActive(filters: { clinicId?: string } = {}) {
    return this.request('GET', `/api/sync/active${query(filters)}`, ActiveSyncsOutput);
  }

  cancelSync(syncId: string) {
    return this.request('POST', `/api/sync/${encodeURIComponent(syncId)}/cancel`, CancelSyncOutput);
  }

  // ---- clinics (CONTRACT sections 2 and 11) --------------------------------------------------------

  getClinic(id: string) {
    return this.request('GET', `/api/clinics/${encodeURIComponent(id)}`, ClinicSettings);
  }

  /** The body carries the PIMS password: it goes to pims-sync and nowhere else (never logged here). */
  createClinic(input: CreateClinicInput) {
    return this.request('POST', '/api/clinics', CreateClinicOutput, input);
  }

  updateClinic(id: string, patch: UpdateClinicInput) {
    return this.request('PATCH', `/api/clinics/${encodeURIComponent(id)}`, ClinicSettings, patch);
  }

  /** A real log-in with the clinic's stored credentials. */
  testConnection(id: string) {
    return this.request('POST', `/api/clinics/${encodeURIComponent(id)}/test-connection`, TestConnectionOutput, undefined, TEST_CONNECTION_TIMEOUT_MS);
  }

  /** A real log-in with credentials that are not saved yet. */
  testCredentials(input: TestCredentialsInput) {
    return this.request('POST', '/api/clinics/test-connection', TestConnectionOutput, input, TEST_CONNECTION_TIMEOUT_MS);
  }

  getSchedule(id: string, range: { from?: string; to?: string } = {}) {
    return this.request('GET', `/api/clinics/${encodeURIComponent(id)}/schedule${query(range)}`, ScheduleOutput);
  }

  // ---- bookings (CONTRACT section 7) -------------------------------------------------------------

  listBookings(filters: BookingFilters = {}) {
    return this.request('GET', `/api/bookings${query(filters)}`, ListBookingsOutput);
  }

  getBooking(id: string) {
    return this.request('GET', `/api/bookings/${encodeURIComponent(id)}`, BookingView);
  }

  retryWriteBack(id: string) {
    return this.request('POST', `/api/bookings/${encodeURIComponent(id)}/write-back`, RetryWriteBackOutput);
  }

  private async request<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    schema: S,
    body?: unknown,
    timeoutMs = this.timeoutMs,
  ): Promise<z.output<S>> {
    if (!this.apiKey) {
      throw new PimsSyncUnavailableError('not_configured', 'PIMS_SYNC_API_KEY is not set for the web app');
    }
    const headers: Record<string, string> = { accept: 'application/json', 'x-api-key': this.apiKey };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        cache: 'no-store',
      });
    } catch (err) {
      const timeout = err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new PimsSyncUnavailableError(
        timeout ? 'timeout' : 'unreachable',
        timeout ? `pims-sync did not answer ${method} ${path} within ${timeoutMs} ms` : `pims-sync is unreachable at ${this.baseUrl}`,
        { cause: err },
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const parsed = ErrorBody.safeParse(json);
      if (parsed.success) throw new PimsSyncError(res.status, parsed.data.error);
      throw new PimsSyncError(res.status, { code: `http_${res.status}`, message: `pims-sync answered ${res.status} to ${method} ${path}` });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new PimsSyncUnavailableError('bad_response', `pims-sync answered ${method} ${path} with a body outside the contract`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
}

function query(params: object): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}
