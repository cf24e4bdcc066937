// Two pims-sync processes on one database, started from their environment as main.ts starts them:
// an API process and a worker with PIMS_SYNC_METRICS_PORT (a worker serves no API). Each has its
// own registry, scraped over real HTTP: the sync's run and its requests to the PIMS are counted by
// the worker that ran it, the queue and last-success gauges (read from the database) agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { startSimulator, type Simulator } from '@pims/idexx-neo-sim';
import { loadEnv } from '../env';
import { startService, type ServiceHandle } from '../service';
import { apiClient, clinicBody, scenarioClinic, serviceEnv, testSecrets, waitFor } from '../testing/e2e';
import { captureLogger } from '../testing/harness';
import { parseSamples, sumOf, valueOf, type Sample } from './testing/prom-text';

const secrets = testSecrets();
const METRICS_TOKEN = 'worker-metrics-token-0c1d2e3f';
let db: TestDatabase;
let sim: Simulator;
let apiProcess: ServiceHandle;
let worker: ServiceHandle;

async function scrape(base: string, headers: Record<string, string> = { authorization: `Bearer ${METRICS_TOKEN}` }): Promise<Sample[]> {
  const res = await fetch(`${base}/metrics`, { headers });
  expect(res.status).toBe(200);
  return parseSamples(await res.text());
}

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ port: 0, scenario: { clinics: [scenarioClinic('8501', { past: 3, future: 3 })] } });
  const common = { PIMS_SYNC_METRICS_TOKEN: METRICS_TOKEN, LOG_LEVEL: 'info' };
  apiProcess = await startService(loadEnv(serviceEnv(db.connectionString, secrets, { ...common, PIMS_SYNC_ROLE: 'api' })), { logger: captureLogger('info').logger });
  // The worker's environment has no API key: the metrics token is its only credential.
  const workerEnv = serviceEnv(db.connectionString, secrets, { ...common, PIMS_SYNC_ROLE: 'worker', PIMS_SYNC_METRICS_PORT: '0' });
  delete (workerEnv as Record<string, string | undefined>).PIMS_SYNC_API_KEY;
  worker = await startService(loadEnv(workerEnv), { logger: captureLogger('info').logger });
});

afterAll(async () => {
  await worker?.stop();
  await apiProcess?.stop();
  await sim?.close();
  await db?.drop();
});

describe('metrics of several processes', () => {
  it('a worker with PIMS_SYNC_METRICS_PORT serves GET /metrics alone, behind the token', async () => {
    expect(worker.url).toBeNull();
    expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(apiProcess.metricsUrl).toBeNull();
    expect((await fetch(`${worker.metricsUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${worker.metricsUrl}/metrics`, { headers: { 'x-api-key': secrets.apiKey } })).status).toBe(401);
    const other = await fetch(`${worker.metricsUrl}/api/clinics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(other.status).toBe(404);
    expect((await other.json()).error.code).toBe('not_found');
    // Node's own process metrics come with a service process.
    expect(sumOf(await scrape(worker.metricsUrl!), 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('the worker that ran a sync counts it; the API process that queued it does not; both read the same queue and last success', async () => {
    const api = apiClient(apiProcess.url!, secrets.apiKey);
    const created = await api('POST', '/api/clinics', clinicBody(sim.url, '8501'));
    expect(created.status).toBe(201);
    const queued = await api('POST', '/api/sync/full', { clinicId: created.body.id });
    expect(queued.status).toBe(202);
    const ended = await waitFor('the sync to end', async () => {
      const r = await api('GET', `/api/sync/${queued.body.syncId}`);
      return r.body.status === 'completed' || r.body.status === 'failed' || r.body.status === 'partial' ? r.body : null;
    }, 120_000, 250);
    expect(ended.status).toBe('completed');

    const fromWorker = await scrape(worker.metricsUrl!);
    const fromApi = await scrape(apiProcess.url!);
    const runs = (s: Sample[]) => valueOf(s, 'pims_sync_runs_total', { type: 'full', status: 'completed' });
    expect(runs(fromWorker)).toBe(1);
    expect(runs(fromApi)).toBe(0);
    expect(sumOf(fromWorker, 'pims_requests_total', { provider: 'idexx_neo', endpoint: 'getCalendarEventData' })).toBeGreaterThan(0);
    expect(sumOf(fromApi, 'pims_requests_total')).toBe(0);
    for (const s of [fromWorker, fromApi]) {
      expect(valueOf(s, 'pims_sync_last_success_timestamp_seconds', { clinic_id: created.body.id })).toBeCloseTo(Date.parse(ended.completedAt) / 1000, 0);
      expect(valueOf(s, 'pims_sync_queue_depth', { queue: 'sync_on_demand' })).toBe(0);
    }
  });

  it('a worker metrics port without a token serves /metrics open, as the API does (CONTRACT: no key)', () => {
    const env = serviceEnv(db.connectionString, secrets, { PIMS_SYNC_ROLE: 'worker', PIMS_SYNC_METRICS_PORT: '0' });
    delete (env as Record<string, string | undefined>).PIMS_SYNC_API_KEY;
    expect(loadEnv(env).metrics).toEqual({ token: undefined, port: 0 });
  });
});
