import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PgBoss from 'pg-boss';
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
import { RUN_QUEUE } from './boss';

/**
 * Fault: the worker process running a sync is killed with SIGKILL in the middle of it. A second
 * worker process recovers the sync (worker_lost + a new linked attempt) and finishes the work.
 * Also: a worker that dies after taking a job but before starting its sync.
 */

const secrets = testSecrets();
let db: TestDatabase;
let sim: Simulator;
const children: ServiceChild[] = [];
let api: ReturnType<typeof apiClient>;
let clinicId: string;
const env = (extra: Record<string, string>) => serviceEnv(db.connectionString, secrets, { PIMS_SYNC_JOB_EXPIRE_SECONDS: '20', ...extra });
const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ port: 0, scenario: { clinics: [scenarioClinic('8101', { past: 40, future: 10 })] } });
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.stop(5000)));
  dumpLogs('worker-fault', children);
  await sim?.close();
  await db?.drop();
});

describe('a worker killed mid-sync', () => {
  it('is recovered by another process: no audit left in progress, no duplicate rows', async () => {
    const apiProc = spawnService('api', env({ PIMS_SYNC_ROLE: 'api' }));
    const workerA = spawnService('worker-a', env({ PIMS_SYNC_ROLE: 'worker' }));
    children.push(apiProc, workerA);
    api = apiClient(await apiProc.url(), secrets.apiKey);

    clinicId = (await api('POST', '/api/clinics', clinicBody(sim.url, '8101'))).body.id as string;
    sim.setFaults({ latencyMs: 250 });
    const trig = await api('POST', '/api/sync/full', { clinicId });
    expect(trig.status).toBe(202);
    const syncId = trig.body.syncId as string;

    // Kill worker A once it is enriching cases (half-way through the sync).
    await waitFor(
      'the sync to reach case enrichment',
      async () => {
        const a = (await api('GET', `/api/sync/${syncId}`)).body;
        return a.status === 'in_progress' && a.currentPhase === 'case_enrichment' && a.processedItems > 0;
      },
      90_000,
      100,
    );
    const casesBefore = (await q(`select count(*)::int as n from public.cases where clinic_id = $1`, [clinicId]))[0].n;
    expect(casesBefore).toBe(40);
    workerA.kill();
    await workerA.exited;
    expect((await api('GET', `/api/sync/${syncId}`)).body.status).toBe('in_progress');
    sim.setFaults({});

    const workerB = spawnService('worker-b', env({ PIMS_SYNC_ROLE: 'worker' }));
    children.push(workerB);

    const lost = await waitFor('the lost sync to be marked', async () => {
      const a = (await api('GET', `/api/sync/${syncId}`)).body;
      return a.status === 'failed' ? a : null;
    });
    expect(lost).toMatchObject({ errorCode: 'worker_lost', attempt: 1 });
    expect(lost.completedAt).not.toBeNull();

    const retry = await waitFor(
      'the new attempt to finish',
      async () => {
        const rows = await q(`select id, status, attempt, retry_of from public.case_sync_audits where retry_of = $1`, [syncId]);
        return rows[0] && !['queued', 'in_progress'].includes(rows[0].status) ? rows[0] : null;
      },
      90_000,
    );
    expect(retry).toMatchObject({ status: 'completed', attempt: 2, retry_of: syncId });
    const audit = (await api('GET', `/api/sync/${retry.id}`)).body;
    expect(audit.phases.map((p: { name: string; status: string }) => `${p.name}:${p.status}`)).toEqual([
      'backward_inbound:completed',
      'case_enrichment:completed',
      'forward_inbound:completed',
      'reconciliation:completed',
    ]);
    // The second process ran it.
    expect(jsonLines(workerB.lines).some((l) => l.syncId === retry.id && l.msg === 'sync starting')).toBe(true);

    // No audit stuck, no duplicate rows, every row of the work there once.
    expect((await q(`select count(*)::int as n from public.case_sync_audits where status in ('queued', 'in_progress')`))[0].n).toBe(0);
    const cases = (await q(`select count(*)::int as n, count(distinct external_id)::int as d, count(*) filter (where metadata ? 'pimsConsultation')::int as enriched
                             from public.cases where clinic_id = $1`, [clinicId]))[0];
    expect(cases).toEqual({ n: 40, d: 40, enriched: 40 });
    const appts = (await q(`select count(*)::int as n, count(distinct neo_appointment_id)::int as d from public.schedule_appointments where clinic_id = $1`, [clinicId]))[0];
    expect(appts).toEqual({ n: 10, d: 10 });
    const slotDupes = await q(`select date, start_time from public.schedule_slots where clinic_id = $1 group by 1, 2 having count(*) > 1`, [clinicId]);
    expect(slotDupes).toEqual([]);

    // pg-boss later delivers the killed job again (expiry): a no-op, the audit already ended.
    await waitFor(
      'the expired job to come back',
      async () => jsonLines(workerB.lines).some((l) => l.syncId === syncId && l.msg === 'sync already ended; nothing to run'),
      60_000,
      500,
    );
    expect((await q(`select count(*)::int as n from public.case_sync_audits where clinic_id = $1`, [clinicId]))[0].n).toBe(2);

    const logs = children.flatMap((c) => c.lines).join('\n');
    expect(logs).not.toContain(SIM_PASSWORD);
    expect(logs).not.toContain(secrets.apiKey);
    expect(logs).not.toContain(secrets.credentialsKey);
  });

  it('SIGTERM mid-sync: the worker exits cleanly, the sync stops at a safe point and is queued again, another process finishes it', async () => {
    const workerB = children.find((c) => c.name === 'worker-b')!;
    expect(await workerB.stop()).toBe(0); // idle: a clean exit
    const workerC = spawnService('worker-c', env({ PIMS_SYNC_ROLE: 'worker', PIMS_SYNC_SHUTDOWN_GRACE_SECONDS: '0' }));
    children.push(workerC);
    await waitFor('worker C to start', async () => jsonLines(workerC.lines).some((l) => l.msg === 'pims-sync started'), 90_000, 200);
    sim.setFaults({ latencyMs: 250 });
    const trig = await api('POST', '/api/sync/full', { clinicId });
    const syncId = trig.body.syncId as string;
    await waitFor('the sync to run', async () => (await api('GET', `/api/sync/${syncId}`)).body.processedItems > 0, 90_000, 100);
    expect(await workerC.stop()).toBe(0);
    sim.setFaults({});
    expect(jsonLines(workerC.lines).some((l) => l.msg === 'pims-sync stopped')).toBe(true);

    const stopped = (await api('GET', `/api/sync/${syncId}`)).body;
    expect(stopped.status).toBe('cancelled');
    expect(stopped.cancelRequestedAt).toBeNull();
    const next = (await q(`select id, status, attempt from public.case_sync_audits where retry_of = $1`, [syncId]))[0];
    expect(next).toMatchObject({ status: 'queued', attempt: 2 });

    const workerD = spawnService('worker-d', env({ PIMS_SYNC_ROLE: 'worker' }));
    children.push(workerD);
    const done = await waitFor('the re-queued sync to finish', async () => {
      const a = (await api('GET', `/api/sync/${next.id}`)).body;
      return a.status !== 'queued' && a.status !== 'in_progress' ? a : null;
    }, 90_000);
    expect(done.status).toBe('completed');
    expect((await q(`select count(*)::int as n, count(distinct external_id)::int as d from public.cases where clinic_id = $1`, [clinicId]))[0]).toEqual({ n: 40, d: 40 });
    expect(children.flatMap((c) => c.lines).join('\n')).not.toContain(SIM_PASSWORD);
  });
  it('a worker that took the job and died before starting the sync: the recovery sweep of another process recovers it within the stale window', async () => {
    const workerD = children.find((c) => c.name === 'worker-d')!;
    expect(await workerD.stop()).toBe(0); // no worker takes the job before the "dead" one does
    const trig = await api('POST', '/api/sync/full', { clinicId });
    expect(trig.status).toBe(202);
    const syncId = trig.body.syncId as string;
    // The job's expiry as in production (2 h), not this file's 20 s: pg-boss delivering it again
    // must not be what rescues it.
    await q(`update pgboss.job set expire_in = interval '2 hours' where name = $1 and id = $2`, [RUN_QUEUE, syncId]);

    // The dead worker: it takes the job from pg-boss and is gone before it takes the run lease.
    const dead = new PgBoss({ connectionString: db.connectionString, schedule: false, supervise: false, migrate: false });
    await dead.start();
    try {
      expect((await dead.fetch(RUN_QUEUE)).map((j) => j.id)).toEqual([syncId]);
    } finally {
      await dead.stop({ graceful: false, wait: true, timeout: 1000 });
    }
    expect(await q(`select state from pgboss.job where name = $1 and id = $2`, [RUN_QUEUE, syncId])).toEqual([{ state: 'active' }]);
    expect((await api('GET', `/api/sync/${syncId}`)).body.status).toBe('queued');
    expect((await api('POST', '/api/sync/inbound', { clinicId })).status).toBe(409); // the clinic is blocked meanwhile

    const workerE = spawnService('worker-e', env({ PIMS_SYNC_ROLE: 'worker', PIMS_SYNC_STALE_SECONDS: '5' }));
    children.push(workerE);
    const lost = await waitFor('the taken sync to be recovered', async () => {
      const a = (await api('GET', `/api/sync/${syncId}`)).body;
      return a.status !== 'queued' ? a : null;
    }, 90_000);
    expect(lost).toMatchObject({ status: 'failed', errorCode: 'worker_lost', attempt: 1, startedAt: null });
    const retry = await waitFor('its new attempt to finish', async () => {
      const rows = await q(`select id, status, attempt from public.case_sync_audits where retry_of = $1`, [syncId]);
      return rows[0] && !['queued', 'in_progress'].includes(rows[0].status) ? rows[0] : null;
    }, 90_000);
    expect(retry).toMatchObject({ status: 'completed', attempt: 2 });
    expect(jsonLines(workerE.lines).some((l) => l.syncId === retry.id && l.msg === 'sync starting')).toBe(true);
    expect(jsonLines(workerE.lines).some((l) => l.syncId === syncId && l.msg === 'sync starting')).toBe(false);
    expect((await q(`select count(*)::int as n from public.case_sync_audits where status in ('queued', 'in_progress')`))[0].n).toBe(0);
    expect((await q(`select count(*)::int as n, count(distinct external_id)::int as d from public.cases where clinic_id = $1`, [clinicId]))[0]).toEqual({ n: 40, d: 40 });
  });
});
