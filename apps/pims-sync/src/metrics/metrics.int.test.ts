// GET /metrics on the real service: the composition root's services on a real PostgreSQL with
// pg-boss, the sync and write-back workers, and the real IDEXX Neo client in Chromium against the
// simulator (built through the composition's provider factories, so it reports to the metrics'
// request observer). What a scrape says is read from the text Prometheus would read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type PgBoss from 'pg-boss';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { createIdexxNeoProvider } from '@pims/idexx-neo';
import { startSimulator, type Simulator } from '@pims/idexx-neo-sim';
import type { PimsProvider } from '@pims/pims';
import { PHASE_NAMES } from '@pims/sync-contracts';
import { addDays, generateEncryptionKey, parseEncryptionKey, systemClock, todayIn } from '@pims/util';
import { createHttpApp, createProviders, createServices, type Services } from '../composition';
import { startBoss } from '../queue/boss';
import { scenarioClinic, SIM_PASSWORD, waitFor } from '../testing/e2e';
import { captureLogger, TEST_API_KEY, TEST_QUEUE_SETTINGS } from '../testing/harness';
import { PimsSyncMetrics } from './metrics';
import { parseSamples, sumOf, valueOf, type Sample } from './testing/prom-text';

const COMPANY = '8420';
const TZ = 'America/New_York';
const CLINIC_NAME = 'Sunnyvale Paws Metrics Clinic';
const METRICS_TOKEN = 'metrics-token-5f2c9d7e41a8b3c6';
const CREDENTIALS_KEY = generateEncryptionKey();
const CLIENT = { firstName: 'Marisol', lastName: 'Quintanilla', phone: '+15558675309', email: 'marisol.q@example.com' };
const PET = 'Biscotti';
const today = todayIn(TZ, systemClock);

let db: TestDatabase;
let sim: Simulator;
let boss: PgBoss;
let providers: PimsProvider[];
let services: Services;
let app: ReturnType<typeof createHttpApp>;
let clinicId: string;
/** Every scrape of the file, searched at the end for anything that is not an id or a word. */
const scrapes: string[] = [];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await app.request(path, {
    method,
    headers: { 'x-api-key': TEST_API_KEY, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

/** A scrape as Prometheus makes it: GET /metrics with its bearer token. */
async function scrape(): Promise<Sample[]> {
  const res = await app.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  scrapes.push(text);
  return parseSamples(text);
}

const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;

async function newClinic(name: string, companyId: string): Promise<string> {
  const res = await api('POST', '/api/clinics', {
    name,
    timezone: TZ,
    pims: { provider: 'idexx_neo', baseUrl: sim.url, companyId, username: `user-${companyId}`, password: SIM_PASSWORD },
    schedule: { openTime: '08:00', closeTime: '18:00', daysOfWeek: [1, 2, 3, 4, 5, 6, 7], slotDurationMinutes: 30, capacity: 2 },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const syncEnded = (syncId: string) =>
  waitFor(`sync ${syncId} to end`, async () => {
    const r = await api('GET', `/api/sync/${syncId}`);
    return r.body.status !== 'queued' && r.body.status !== 'in_progress' ? r.body : null;
  }, 90_000, 200);

beforeAll(async () => {
  db = await createTestDatabase();
  const clinic = scenarioClinic(COMPANY, { past: 4, future: 4 });
  sim = await startSimulator({ port: 0, scenario: { clinics: [clinic] } });
  const { logger } = captureLogger('info');
  boss = await startBoss(db.pool, db.connectionString, { jobExpireSeconds: 120, maintenanceSeconds: 600, retryLimit: 2, retryDelaySeconds: 1 }, logger);
  // As service.ts builds a process: one registry, its request observer handed to every provider factory.
  const metrics = new PimsSyncMetrics({ pool: db.pool, logger });
  providers = createProviders(
    [({ observer }) => createIdexxNeoProvider({ chromiumPath: process.env.CHROMIUM_PATH || undefined, retry: { retries: 2, baseDelayMs: 50, maxDelayMs: 200 }, requestTimeoutMs: 15_000, observer })],
    { metrics, logger },
  );
  services = createServices({
    pool: db.pool,
    boss,
    credentialsKey: parseEncryptionKey(CREDENTIALS_KEY),
    logger,
    settings: TEST_QUEUE_SETTINGS,
    providers,
    metrics,
  });
  app = createHttpApp(services, { apiKey: TEST_API_KEY, logger, metricsToken: METRICS_TOKEN });
  clinicId = await newClinic(CLINIC_NAME, COMPANY);
  await services.workers!.start();
  await services.writeBackWorkers!.start();
});

afterAll(async () => {
  await services?.writeBackWorkers?.shutdown(1000);
  await services?.workers?.shutdown(0);
  await services?.orchestrator?.close();
  await boss?.stop({ graceful: false, wait: true, timeout: 2000 });
  for (const p of providers ?? []) await p.close();
  await sim?.close();
  await db?.drop();
});

describe('GET /metrics: who may scrape', () => {
  it('refuses a scrape without a credential or with a wrong one (401, the error body); takes the bearer token or the API key', async () => {
    const none = await app.request('/metrics');
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('unauthorized');
    expect((await app.request('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: 'Basic bWV0cmljczp4' } })).status).toBe(401);
    expect((await app.request('/metrics', { headers: { 'x-api-key': 'wrong-key' } })).status).toBe(401);
    expect((await app.request('/metrics', { headers: { 'x-api-key': TEST_API_KEY } })).status).toBe(200);
    expect((await app.request('/metrics', { headers: { authorization: `Bearer ${TEST_API_KEY}` } })).status).toBe(200);
    expect((await app.request('/metrics', { headers: { authorization: `bearer ${METRICS_TOKEN}` } })).status).toBe(200);
  });

  it('is open without a metrics token (CONTRACT: GET /metrics needs no key), the API still is not', async () => {
    const open = createHttpApp(services, { apiKey: TEST_API_KEY, logger: captureLogger('info').logger });
    const res = await open.request('/metrics');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('pims_sync_runs_total');
    expect((await open.request('/api/clinics')).status).toBe(401);
  });
});

describe('a full sync', () => {
  it('moves the run counter, times its four phases, counts its requests to Neo by endpoint, and sets the clinic\'s last success', async () => {
    const before = await scrape();
    const runs = (s: Sample[]) => valueOf(s, 'pims_sync_runs_total', { type: 'full', status: 'completed' });
    const phaseCount = (s: Sample[], phase: string) => valueOf(s, 'pims_sync_phase_duration_seconds_count', { phase, status: 'completed' });
    const requests = (s: Sample[], endpoint: string) => valueOf(s, 'pims_requests_total', { provider: 'idexx_neo', endpoint, outcome: 'ok' });
    expect(runs(before)).toBe(0);

    const queued = await api('POST', '/api/sync/full', { clinicId });
    expect(queued.status).toBe(202);
    const ended = await syncEnded(queued.body.syncId);
    expect(ended.status).toBe('completed');

    const after = await scrape();
    expect(runs(after)).toBe(1);
    for (const phase of PHASE_NAMES) {
      expect(phaseCount(after, phase), phase).toBe(phaseCount(before, phase) + 1);
      // The phase's seconds are in the histogram's sum, and its sample is in the +Inf bucket.
      expect(valueOf(after, 'pims_sync_phase_duration_seconds_bucket', { phase, status: 'completed', le: '+Inf' }), phase).toBe(1);
    }
    const phaseSeconds = sumOf(after, 'pims_sync_phase_duration_seconds_sum', { status: 'completed' });
    expect(phaseSeconds).toBeGreaterThan(0);
    expect(phaseSeconds).toBeLessThanOrEqual((Date.parse(ended.completedAt) - Date.parse(ended.startedAt)) / 1000 + 0.001);

    // The requests the simulator answered, counted by the port's observer with Neo's endpoint words.
    expect(requests(after, 'login')).toBeGreaterThan(requests(before, 'login'));
    expect(requests(after, 'getCalendarEventData')).toBeGreaterThan(0);
    expect(requests(after, 'consultationPageData')).toBeGreaterThan(0);
    const simCalendar = sim.stats().requests.getCalendarEventData;
    expect(sumOf(after, 'pims_requests_total', { endpoint: 'getCalendarEventData' })).toBe(simCalendar);
    expect(sumOf(after, 'pims_request_duration_seconds_count', { provider: 'idexx_neo', endpoint: 'getCalendarEventData' })).toBe(simCalendar);

    // Last success: the sync's completion, as Unix seconds.
    expect(valueOf(after, 'pims_sync_last_success_timestamp_seconds', { clinic_id: clinicId })).toBeCloseTo(Date.parse(ended.completedAt) / 1000, 0);
  });
});

describe('bookings and their write-back', () => {
  it('counts a hold, a booking, its write-back into Neo, and a cancel, by source and status', async () => {
    const slots = (await api('GET', `/api/clinics/${clinicId}/availability?from=${addDays(today, 1)}&to=${addDays(today, 1)}`)).body.slots as { slotId: string; available: number }[];
    const [first, second] = slots.filter((s) => s.available > 0);
    expect(second).toBeDefined();
    const before = await scrape();
    const bookings = (s: Sample[], source: string, status: string) => valueOf(s, 'pims_bookings_total', { source, status });

    const hold = await api('POST', '/api/bookings/holds', { clinicId, slotId: first.slotId, ttlSeconds: 60 });
    expect(hold.status).toBe(201);
    const booked = await api('POST', '/api/bookings', { clinicId, slotId: second.slotId, client: CLIENT, patient: { name: PET, species: 'Canine' }, reason: `Limping, ${PET}` });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    // The same request again with its key answers the same booking: counted once.
    const key = { idempotencyKey: 'metrics-once-1' };
    const once = await api('POST', '/api/bookings', { clinicId, holdId: hold.body.holdId, client: CLIENT, patient: { name: `${PET} Jr`, species: 'Canine' }, reason: 'Vaccines', ...key });
    expect(once.status, JSON.stringify(once.body)).toBe(201);
    const again = await api('POST', '/api/bookings', { clinicId, holdId: hold.body.holdId, client: CLIENT, patient: { name: `${PET} Jr`, species: 'Canine' }, reason: 'Vaccines', ...key });
    expect(again.body.id).toBe(once.body.id);

    const mid = await scrape();
    expect(bookings(mid, 'none', 'held')).toBe(bookings(before, 'none', 'held') + 1);
    expect(bookings(mid, 'api', 'confirmed')).toBe(bookings(before, 'api', 'confirmed') + 2);

    for (const id of [booked.body.id, once.body.id]) {
      await waitFor(`booking ${id} written`, async () => (await api('GET', `/api/bookings/${id}`)).body.writeBack.status === 'written', 60_000, 100);
    }
    const written = await scrape();
    expect(valueOf(written, 'pims_write_back_total', { status: 'written', action: 'create' })).toBe(valueOf(before, 'pims_write_back_total', { status: 'written', action: 'create' }) + 2);
    expect(sumOf(written, 'pims_requests_total', { provider: 'idexx_neo', endpoint: 'createAppointment', outcome: 'ok' })).toBeGreaterThanOrEqual(2);

    expect((await api('POST', `/api/bookings/${booked.body.id}/cancel`, { reason: `${CLIENT.firstName} cannot come` })).status).toBe(200);
    await waitFor('the cancel written', async () => {
      const s = parseSamples(await (await app.request('/metrics', { headers: { 'x-api-key': TEST_API_KEY } })).text());
      return valueOf(s, 'pims_write_back_total', { status: 'written', action: 'cancel' }) === 1;
    }, 60_000, 200);
    const after = await scrape();
    expect(bookings(after, 'api', 'cancelled')).toBe(bookings(before, 'api', 'cancelled') + 1);
    expect(valueOf(after, 'pims_write_back_total', { status: 'failed', action: 'create' })).toBe(0);
  });
});

describe('the queues', () => {
  it('shows queued syncs by who asked for them and waiting write-backs, with the age of the longest-waiting one; a cancel before the start counts as a cancelled run', async () => {
    // No worker takes anything from here on.
    await services.workers!.stopTaking();
    await services.writeBackWorkers!.shutdown(5000);
    const before = await scrape();
    const depth = (s: Sample[], queue: string) => valueOf(s, 'pims_sync_queue_depth', { queue });
    const oldest = (s: Sample[], queue: string) => valueOf(s, 'pims_sync_oldest_queued_seconds', { queue });
    for (const queue of ['sync_on_demand', 'sync_scheduled', 'write_back']) {
      expect(depth(before, queue), queue).toBe(0);
      expect(oldest(before, queue), queue).toBe(0);
    }

    const others = [await newClinic('Second Street Vets', '8421'), await newClinic('Third Avenue Animal Hospital', '8422')];
    const onDemand = [];
    for (const id of [clinicId, others[0]]) {
      const r = await api('POST', '/api/sync/full', { clinicId: id });
      expect(r.status).toBe(202);
      onDemand.push(r.body.syncId as string);
    }
    const nightly = await services.syncs.enqueue({ clinicId: others[1], syncType: 'full', options: {}, triggeredBy: 'schedule' });
    // A retry waiting out its backoff is deferred, not due.
    await q(`update pgboss.job set start_after = now() + interval '1 hour' where id = $1`, [nightly.id]);
    const slot = (await api('GET', `/api/clinics/${clinicId}/availability?from=${addDays(today, 2)}&to=${addDays(today, 2)}`)).body.slots.find((s: { available: number }) => s.available > 0);
    const booked = await api('POST', '/api/bookings', { clinicId, slotId: slot.slotId, client: CLIENT, patient: { name: PET, species: 'Canine' }, reason: 'Check-up', source: 'voice' });
    expect(booked.status).toBe(201);
    // One sync has waited 20 minutes for a worker (over the 15-minute alert).
    await q(`update pgboss.job set start_after = now() - interval '20 minutes', created_on = now() - interval '20 minutes' where id = $1`, [onDemand[0]]);

    const queued = await scrape();
    expect(depth(queued, 'sync_on_demand')).toBe(2);
    expect(oldest(queued, 'sync_on_demand')).toBeGreaterThanOrEqual(20 * 60);
    expect(depth(queued, 'sync_scheduled')).toBe(0);
    expect(valueOf(queued, 'pims_sync_queue_deferred', { queue: 'sync_scheduled' })).toBe(1);
    expect(oldest(queued, 'sync_scheduled')).toBe(0);
    expect(depth(queued, 'write_back')).toBe(1);
    expect(oldest(queued, 'write_back')).toBeLessThan(20 * 60);
    expect(valueOf(queued, 'pims_bookings_total', { source: 'voice', status: 'confirmed' })).toBe(1);

    for (const id of onDemand) expect((await api('POST', `/api/sync/${id}/cancel`)).status).toBe(202);
    const cancelled = await scrape();
    expect(depth(cancelled, 'sync_on_demand')).toBe(0);
    expect(oldest(cancelled, 'sync_on_demand')).toBe(0);
    expect(valueOf(cancelled, 'pims_sync_runs_total', { type: 'full', status: 'cancelled' })).toBe(valueOf(before, 'pims_sync_runs_total', { type: 'full', status: 'cancelled' }) + 2);
    // A clinic that never synced shows its creation time, so "no success in 36 h" covers it too.
    const [created] = await q(`select extract(epoch from created_at)::float8 as at from public.clinics where id = $1`, [others[0]]);
    expect(valueOf(cancelled, 'pims_sync_last_success_timestamp_seconds', { clinic_id: others[0] })).toBeCloseTo(created.at, 0);

    // A nightly run no worker took within the catch-up window (6 h) is recorded missed, and counted.
    await q(`update public.clinic_schedule_config set next_sync_at = now() - interval '7 hours' where clinic_id = $1`, [others[0]]);
    const tick = await services.dispatcher.tick();
    expect(tick.missed).toBeGreaterThanOrEqual(1);
    expect(valueOf(await scrape(), 'pims_sync_nightly_missed_total')).toBe(tick.missed);
  });
});

describe('what a scrape never holds', () => {
  it('no label value is a clinic, client or pet name, a phone number, a username or a secret; every pims_* label value is an id or a word', () => {
    expect(scrapes.length).toBeGreaterThan(5);
    const text = scrapes.join('\n');
    const words = ['Sunnyvale', 'Second Street', 'Third Avenue', CLIENT.firstName, CLIENT.lastName, CLIENT.email, PET, 'Ana', 'Lopez', 'Chen', 'Pet 0'];
    const secrets = [SIM_PASSWORD, `user-${COMPANY}`, TEST_API_KEY, METRICS_TOKEN, CREDENTIALS_KEY];
    for (const w of [...words, ...secrets]) expect(text.includes(w), w).toBe(false);
    const values = scrapes.flatMap((s) => parseSamples(s)).flatMap((s) => Object.values(s.labels));
    for (const phone of ['5558675309', '5551230000', '5551230001']) {
      expect(values.some((v) => v.replace(/\D/g, '').includes(phone)), phone).toBe(false);
    }
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const pims = scrapes.flatMap((s) => parseSamples(s)).filter((s) => s.name.startsWith('pims_'));
    for (const s of pims) {
      for (const [k, v] of Object.entries(s.labels)) {
        const ok = k === 'le' ? /^(\+Inf|\d+(\.\d+)?)$/.test(v) : k === 'clinic_id' ? uuid.test(v) : /^[A-Za-z_]+$/.test(v);
        expect(ok, `${s.name} ${k}="${v}"`).toBe(true);
      }
    }
  });
});
