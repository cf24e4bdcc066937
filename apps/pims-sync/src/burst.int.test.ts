import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { loadEnv } from './env';
import { RUN_QUEUE } from './queue/boss';
import { startService, type ServiceHandle } from './service';
import { serviceEnv, testSecrets, type TestSecrets } from './testing/e2e';
import { captureLogger, clinicInput } from './testing/harness';

/**
 * Bursts larger than the pool, against the real service in the api role (its own pool of the
 * production size, 10 connections; a real HTTP server; real pg-boss): every request gets its
 * contract answer, none a 5xx, and /health, polled all along, stays 200. Before the fix one 409
 * path asked the pool for a second connection while its transaction held the first, and a burst
 * left every connection waiting for another.
 */
const BURST = 200;
const API_POOL_SIZE = 10; // service.ts: createPool(..., { max: 10 + (worker ? concurrency * 4 : 0) })

let db: TestDatabase;
let svc: ServiceHandle;
let url: string;
let secrets: TestSecrets;
const captured = captureLogger('info');

beforeAll(async () => {
  db = await createTestDatabase();
  secrets = testSecrets();
  svc = await startService(loadEnv(serviceEnv(db.connectionString, secrets, { PIMS_SYNC_ROLE: 'api', LOG_LEVEL: 'info' })), { logger: captured.logger });
  url = svc.url!;
});

afterAll(async () => {
  await svc?.stop();
  await db?.drop();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'x-api-key': secrets.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Sends `BURST` requests at once while /health is polled, one probe after another, until all are answered. */
async function burst(send: (i: number) => Promise<{ status: number; body: any }>) { // eslint-disable-line @typescript-eslint/no-explicit-any
  let done = false;
  const health: number[] = [];
  const poller = (async () => {
    while (!done) {
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
      health.push(res.status);
    }
  })();
  try {
    const results = await Promise.all(Array.from({ length: BURST }, (_, i) => send(i)));
    return { results, health };
  } finally {
    done = true;
    await poller;
  }
}

const statuses = (rs: { status: number }[]) => rs.reduce<Record<number, number>>((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {});

describe(`bursts of ${BURST} simultaneous requests (pool of ${API_POOL_SIZE})`, () => {
  let clinicId: string;

  it(`${BURST} triggers of one clinic: exactly one 202, ${BURST - 1} 409s naming it, no 5xx, /health 200 throughout`, async () => {
    const created = await call('POST', '/api/clinics', clinicInput({ name: 'Burst Clinic' }));
    expect(created.status).toBe(201);
    clinicId = created.body.id;

    const { results, health } = await burst(() => call('POST', '/api/sync/full', { clinicId, requestedBy: 'burst-test' }));
    expect(statuses(results)).toEqual({ 202: 1, 409: BURST - 1 });
    const winner = results.find((r) => r.status === 202)!.body.syncId;
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body.error).toMatchObject({ code: 'sync_in_progress', activeSyncId: winner });
    }
    expect(health.length).toBeGreaterThan(0);
    expect(health.filter((s) => s !== 200)).toEqual([]);

    const { rows } = await db.pool.query(
      `select (select count(*)::int from public.case_sync_audits where clinic_id = $1::uuid) as audits,
              (select count(*)::int from pgboss.job where name = $2 and data->>'clinicId' = $1::text) as jobs`,
      [clinicId, RUN_QUEUE],
    );
    expect(rows[0]).toEqual({ audits: 1, jobs: 1 });
  });

  it(`${BURST} clinic registrations: all 201 with their nightly-schedule settings, /health 200 throughout`, async () => {
    const { results, health } = await burst((i) => call('POST', '/api/clinics', clinicInput({ name: `Burst ${i}` })));
    expect(statuses(results)).toEqual({ 201: BURST });
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(BURST);
    expect(health.length).toBeGreaterThan(0);
    expect(health.filter((s) => s !== 200)).toEqual([]);
    // Each has its schedule settings, left for the dispatcher to plan (no per-clinic queue or cron).
    const { rows } = await db.pool.query(
      `select count(*)::int as n from public.clinic_schedule_config where clinic_id = any($1::uuid[]) and sync_enabled and sync_cron = '0 2 * * *' and next_sync_at is null`,
      [[...ids]],
    );
    expect(rows[0].n).toBe(BURST);
    const legacy = await db.pool.query(`select (select count(*)::int from pgboss.queue where name like 'pims-sync-daily-%') + (select count(*)::int from pgboss.schedule) as n`);
    expect(legacy.rows[0].n).toBe(0);
  });

  it(`${BURST} history reads: all 200, /health 200 throughout`, async () => {
    const { results, health } = await burst((i) => call('GET', i % 2 ? `/api/sync/history?clinicId=${clinicId}` : '/api/sync/history?limit=100'));
    expect(statuses(results)).toEqual({ 200: BURST });
    for (const r of results) expect(r.body.items.length).toBeGreaterThan(0);
    expect(health.length).toBeGreaterThan(0);
    expect(health.filter((s) => s !== 200)).toEqual([]);
  });

  it('logged no failed request and no nested pool connection', () => {
    const all = captured.lines.join('');
    expect(all).not.toContain('nested pool connection');
    expect(all).not.toContain('"status":5');
    expect(all).not.toContain('unexpected error');
  });
});
