import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { startSimulator, type Simulator } from '@pims/idexx-neo-sim';
import {
  apiClient,
  clinicBody,
  dumpLogs,
  jsonLines,
  scenarioClinic,
  serviceEnv,
  SIM_PASSWORD,
  spawnService,
  testSecrets,
  waitFor,
  type ServiceChild,
} from '../testing/e2e';

/**
 * Scale-out: one API process and two worker processes on one database, six clinics, two syncs
 * each. Every sync completes, both workers take work, and no two syncs of one clinic overlap.
 */

const COMPANIES = ['9201', '9202', '9203', '9204', '9205', '9206'];
const secrets = testSecrets();
let db: TestDatabase;
let sim: Simulator;
const children: ServiceChild[] = [];
const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ port: 0, scenario: { clinics: COMPANIES.map((c) => scenarioClinic(c, { past: 5, future: 3 })) } });
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop(10_000)));
  dumpLogs('scale', children);
  await sim?.close();
  await db?.drop();
});

describe('two worker processes, six clinics', () => {
  it('complete every sync with no overlap per clinic', async () => {
    const env = (role: string) => serviceEnv(db.connectionString, secrets, { PIMS_SYNC_ROLE: role });
    const apiProc = spawnService('api', env('api'));
    const w1 = spawnService('worker-1', env('worker'));
    const w2 = spawnService('worker-2', env('worker'));
    children.push(apiProc, w1, w2);
    const api = apiClient(await apiProc.url(), secrets.apiKey);
    for (const w of [w1, w2]) {
      await waitFor(`${w.name} to start`, async () => jsonLines(w.lines).some((l) => l.msg === 'pims-sync started'), 90_000, 200);
    }

    const clinicIds: string[] = [];
    for (const c of COMPANIES) {
      const r = await api('POST', '/api/clinics', clinicBody(sim.url, c));
      expect(r.status).toBe(201);
      clinicIds.push(r.body.id);
    }

    // Round one: a full sync of every clinic, and a second trigger at once (refused: 409).
    const first = await Promise.all(clinicIds.map((clinicId) => api('POST', '/api/sync/full', { clinicId })));
    expect(first.map((r) => r.status)).toEqual(clinicIds.map(() => 202));
    const again = await Promise.all(clinicIds.map((clinicId) => api('POST', '/api/sync/inbound', { clinicId })));
    expect(again.map((r) => r.status)).toEqual(clinicIds.map(() => 409));

    // Round two: as soon as a clinic's sync ends, trigger its next one.
    await Promise.all(
      clinicIds.map(async (clinicId, i) => {
        await waitFor(
          `clinic ${i} round one`,
          async () => (await api('GET', `/api/sync/${first[i].body.syncId}`)).body.status === 'completed',
          150_000,
          200,
        );
        const r = await api('POST', '/api/sync/full', { clinicId, bidirectional: false });
        expect(r.status).toBe(202);
      }),
    );
    await waitFor(
      'every sync to end',
      async () => (await q(`select count(*)::int as n from public.case_sync_audits where status in ('queued', 'in_progress')`))[0].n === 0,
      150_000,
      500,
    );

    const audits = await q(`select id, clinic_id, status, started_at, completed_at from public.case_sync_audits order by clinic_id, started_at`);
    expect(audits.length).toBe(12);
    expect(audits.every((a) => a.status === 'completed')).toBe(true);
    for (const clinicId of clinicIds) {
      const mine = audits.filter((a) => a.clinic_id === clinicId);
      expect(mine.length).toBe(2);
      for (let i = 1; i < mine.length; i++) expect(mine[i].started_at.getTime()).toBeGreaterThanOrEqual(mine[i - 1].completed_at.getTime());
      const cases = (await q(`select count(*)::int as n from public.cases where clinic_id = $1`, [clinicId]))[0].n;
      expect(cases).toBe(5);
    }

    // Both processes took work.
    const ranBy = (c: ServiceChild) => jsonLines(c.lines).filter((l) => l.msg === 'sync starting').map((l) => l.syncId);
    expect(ranBy(w1).length).toBeGreaterThan(0);
    expect(ranBy(w2).length).toBeGreaterThan(0);
    expect(ranBy(w1).length + ranBy(w2).length).toBe(12);
    expect(new Set([...ranBy(w1), ...ranBy(w2)]).size).toBe(12);

    // SIGTERM: every process stops gracefully (exit code 0).
    expect(await Promise.all([w1.stop(), w2.stop(), apiProc.stop()])).toEqual([0, 0, 0]);
    expect(jsonLines(w1.lines).some((l) => l.msg === 'pims-sync stopped')).toBe(true);

    const logs = children.flatMap((c) => c.lines).join('\n');
    expect(logs).not.toContain(SIM_PASSWORD);
    expect(logs).not.toContain(secrets.apiKey);
  });
});
