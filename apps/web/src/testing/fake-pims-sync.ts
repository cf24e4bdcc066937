import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BookingView, ClinicSettings, ClinicSummary, SyncAudit } from '@pims/sync-contracts';

/**
 * A tiny real HTTP server answering like pims-sync (CONTRACT section 2), for router tests:
 * it records every request and answers from a route table that each test can override.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  /** Raw text instead of JSON. */
  text?: string;
}

type Handler = (req: RecordedRequest) => FakeResponse | undefined;

export const FAKE_API_KEY = 'test-api-key-0123456789';

export function sampleAudit(overrides: Partial<SyncAudit> = {}): SyncAudit {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    clinicId: randomUUID(),
    clinicName: 'Happy Paws Veterinary',
    syncType: 'full',
    status: 'completed',
    errorMessage: null,
    errorCode: null,
    appointmentsFound: 12,
    casesCreated: 10,
    casesUpdated: 2,
    casesDeleted: 0,
    totalItems: 20,
    processedItems: 20,
    progressPercentage: 100,
    currentPhase: null,
    phases: [
      { name: 'backward_inbound', status: 'completed', startedAt: now, completedAt: now, stats: { appointmentsFound: 12, casesCreated: 10 }, error: null },
    ],
    options: { bidirectional: true, backwardDays: 14, forwardDays: 14 },
    triggeredBy: 'admin',
    requestedBy: 'admin@example.com',
    attempt: 1,
    retryOf: null,
    cancelRequestedAt: null,
    startedAt: now,
    completedAt: now,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function sampleClinic(overrides: Partial<ClinicSummary> = {}): ClinicSummary {
  return { id: randomUUID(), name: 'Happy Paws Veterinary', timezone: 'America/New_York', pimsProvider: 'idexx_neo', ...overrides };
}

export function sampleSettings(overrides: Partial<ClinicSettings> = {}): ClinicSettings {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    name: 'Happy Paws Veterinary',
    timezone: 'America/New_York',
    pimsProvider: 'idexx_neo',
    pims: { baseUrl: 'https://neo.example', companyId: '8890', username: 'frontdesk' },
    schedule: { openTime: '08:00', closeTime: '18:00', daysOfWeek: [1, 2, 3, 4, 5], slotDurationMinutes: 30, capacity: 2, hasBusinessHours: true },
    syncCron: '0 2 * * *',
    catchUpHours: 6,
    backwardDays: 14,
    forwardDays: 14,
    reconciliationDays: 7,
    syncEnabled: true,
    voiceAssistantId: null,
    writeDefaults: { appointmentTypeId: null, roomId: null, providerId: null },
    nextSyncAt: null,
    lastSync: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function sampleBooking(overrides: Partial<BookingView> = {}): BookingView {
  const id = randomUUID();
  const now = new Date().toISOString();
  return {
    id,
    bookingId: id,
    clinicId: randomUUID(),
    slotId: randomUUID(),
    status: 'confirmed',
    confirmationNumber: 'K7PQ2M',
    startsAt: now,
    date: now.slice(0, 10),
    startTime: '09:30',
    endTime: '10:00',
    client: { firstName: 'Ana', lastName: 'Lopez', phone: '+15551230000' },
    patient: { name: 'Biscuit' },
    reason: 'Annual vaccines',
    source: 'voice',
    holdExpiresAt: null,
    writeBack: { status: 'failed', pimsAppointmentId: null, error: 'pims_unavailable: down', attempts: 8 },
    confirmedAt: now,
    rescheduledAt: null,
    cancelledAt: null,
    cancelReason: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export interface FakePimsSync {
  url: string;
  requests: RecordedRequest[];
  clinics: ClinicSummary[];
  /** Answer the next matching requests with this (first match wins; checked before the defaults). */
  on(method: string, path: string | RegExp, respond: (req: RecordedRequest) => FakeResponse): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakePimsSync(): Promise<FakePimsSync> {
  const requests: RecordedRequest[] = [];
  let overrides: { method: string; path: string | RegExp; respond: Handler }[] = [];
  const state = { clinics: [] as ClinicSummary[] };

  const defaults: Handler = (req) => {
    if (req.headers['x-api-key'] !== FAKE_API_KEY) {
      return { status: 401, body: { error: { code: 'unauthorized', message: 'Missing or invalid API key' } } };
    }
    if (req.method === 'GET' && req.path === '/api/clinics') return { status: 200, body: { clinics: state.clinics } };
    if (req.method === 'POST' && /^\/api\/sync\/(full|inbound|cases|reconcile)$/.test(req.path)) {
      return { status: 202, body: { syncId: randomUUID(), status: 'queued' } };
    }
    if (req.method === 'GET' && req.path === '/api/sync/active') return { status: 200, body: { items: [] } };
    if (req.method === 'GET' && req.path === '/api/sync/history') return { status: 200, body: { items: [sampleAudit()], nextCursor: null } };
    const cancel = req.path.match(/^\/api\/sync\/([^/]+)\/cancel$/);
    if (req.method === 'POST' && cancel) return { status: 202, body: { syncId: cancel[1], status: 'in_progress', cancelRequested: true } };
    const one = req.path.match(/^\/api\/sync\/([^/]+)$/);
    if (req.method === 'GET' && one) return { status: 200, body: sampleAudit({ id: one[1] }) };
    return { status: 404, body: { error: { code: 'not_found', message: 'Not found' } } };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      };
      requests.push(recorded);
      const match = overrides.find(
        (o) => o.method === recorded.method && (typeof o.path === 'string' ? o.path === recorded.path : o.path.test(recorded.path)),
      );
      const answer = (match ? match.respond(recorded) : undefined) ?? defaults(recorded)!;
      res.statusCode = answer.status;
      if (answer.text !== undefined) {
        res.setHeader('content-type', 'text/plain');
        res.end(answer.text);
      } else {
        res.setHeader('content-type', 'application/json');
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get clinics() {
      return state.clinics;
    },
    set clinics(v: ClinicSummary[]) {
      state.clinics = v;
    },
    on(method, path, respond) {
      overrides.push({ method, path, respond });
    },
    reset() {
      requests.length = 0;
      overrides = [];
      state.clinics = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
