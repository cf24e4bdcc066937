import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { startSimulator, type Simulator } from '@pims/idexx-neo-sim';
import { SyncAudit } from '@pims/sync-contracts';
import { loadEnv } from './env';
import { startService, type ServiceHandle } from './service';
import { captureLogger } from './testing/harness';
import { apiClient, clinicBody, scenarioClinic, serviceEnv, SIM_PASSWORD, testSecrets, waitFor } from './testing/e2e';

/**
 * End to end in one process (role all): the HTTP API queues, a pg-boss worker runs the orchestrator
 * against the simulator through real Chromium, the audit tells the story.
 */

const secrets = testSecrets();
let db: TestDatabase;
let sim: Simulator;
let svc: ServiceHandle | null = null;
let api: ReturnType<typeof apiClient>;
const captured = captureLogger('debug');

const FINAL = new Set(['completed', 'partial', 'failed', 'cancelled']);

async function start(extra: Record<string, string> = {}) {
  const env = loadEnv(serviceEnv(db.connectionString, secrets, { PIMS_SYNC_MAX_ATTEMPTS: '2', ...extra }));
  svc = await startService(env, { logger: captured.logger });
  api = apiClient(svc.url!, secrets.apiKey);
}

async function finalAudit(syncId: string, timeoutMs = 90_000) {
  return waitFor(
    `sync ${syncId} to end`,
    async () => {
      const r = await api('GET', `/api/sync/${syncId}`);
      return r.status === 200 && FINAL.has(r.body.status) ? SyncAudit.parse(r.body) : null;
    },
    timeoutMs,
  );
}

const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({
    port: 0,
    scenario: {
      clinics: [
        scenarioClinic('7001', { past: 12, future: 8 }),
        scenarioClinic('7002', { past: 25, future: 4 }),
        scenarioClinic('7003', { past: 3, future: 2 }),
        scenarioClinic('7004', { past: 3, future: 2 }),
      ],
    },
  });
  await start();
});

afterAll(async () => {
  await svc?.stop();
  await sim?.close();
  await db?.drop();
});

describe('a full sync through the service', () => {
  let clinicId: string;
  let syncId: string;

  it('POST /api/sync/full -> a worker runs it -> completed with four phases in order, data in the tables', async () => {
    const created = await api('POST', '/api/clinics', clinicBody(sim.url, '7001'));
    expect(created.status).toBe(201);
    clinicId = created.body.id;
    const trig = await api('POST', '/api/sync/full', { clinicId, triggeredBy: 'admin', requestedBy: 'e2e' });
    expect(trig.status).toBe(202);
    syncId = trig.body.syncId;
    const again = await api('POST', '/api/sync/full', { clinicId });
    expect(again.status).toBe(409);
    expect(again.body.error.activeSyncId).toBe(syncId);

    const audit = await finalAudit(syncId);
    expect(audit.status).toBe('completed');
    expect(audit.phases.map((p) => [p.name, p.status])).toEqual([
      ['backward_inbound', 'completed'],
      ['case_enrichment', 'completed'],
      ['forward_inbound', 'completed'],
      ['reconciliation', 'completed'],
    ]);
    for (let i = 1; i < audit.phases.length; i++) expect(audit.phases[i].startedAt! >= audit.phases[i - 1].completedAt!).toBe(true);
    expect(audit).toMatchObject({ triggeredBy: 'admin', requestedBy: 'e2e', attempt: 1, progressPercentage: 100, casesCreated: 12, errorCode: null });
    expect(audit.startedAt).not.toBeNull();
    expect(audit.completedAt).not.toBeNull();

    const cases = await q(
      `select external_id, status, metadata ? 'pimsConsultation' as enriched from public.cases where clinic_id = $1 and deleted_at is null`,
      [clinicId],
    );
    expect(cases.length).toBe(12);
    expect(cases.every((c) => c.enriched && c.status === 'completed')).toBe(true);
    const appts = await q(`select count(*)::int as n from public.schedule_appointments where clinic_id = $1 and deleted_at is null`, [clinicId]);
    expect(appts[0].n).toBe(8);
    const slots = await q(`select count(*)::int as n, sum(booked_count)::int as booked from public.schedule_slots where clinic_id = $1`, [clinicId]);
    expect(slots[0].n).toBeGreaterThan(0);
    expect(slots[0].booked).toBe(8);

    const clinics = await api('GET', '/api/clinics');
    expect(clinics.body.clinics.find((c: { id: string }) => c.id === clinicId).lastSync).toMatchObject({ id: syncId, status: 'completed' });
    const history = await api('GET', `/api/sync/history?clinicId=${clinicId}`);
    expect(history.body.items.map((i: { id: string }) => i.id)).toEqual([syncId]);
    const active = await api('GET', `/api/sync/active?clinicId=${clinicId}`);
    expect(active.body.items).toEqual([]);
  });

  it('logs every line of the sync with its syncId and clinicId, and never a secret', () => {
    const lines = captured.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const ofSync = lines.filter((l) => l.syncId === syncId);
    expect(ofSync.length).toBeGreaterThan(5);
    expect(ofSync.every((l) => l.clinicId === clinicId)).toBe(true);
    for (const msg of ['sync queued', 'sync starting', 'sync started', 'phase finished', 'sync finished', 'sync ended']) {
      expect(ofSync.some((l) => l.msg === msg), msg).toBe(true);
    }
    // the PIMS client logs through the process logger; its lines during the sync carry the sync too
    const neo = lines.filter((l) => l.component === 'idexx-neo' && typeof l.msg === 'string' && /log-?in|logged/i.test(l.msg));
    expect(neo.length).toBeGreaterThan(0);
    expect(neo.every((l) => l.syncId !== undefined && l.clinicId !== undefined)).toBe(true);
    const all = captured.lines.join('');
    expect(all).not.toContain(SIM_PASSWORD);
    expect(all).not.toContain(secrets.apiKey);
    expect(all).not.toContain(secrets.credentialsKey);
  });
});

describe('failures and cancellation', () => {
  it('retries a transient failure (PIMS unavailable) as a new attempt linked to the first', async () => {
    const created = await api('POST', '/api/clinics', clinicBody(sim.url, '7003'));
    const clinicId = created.body.id as string;
    sim.setFaults({ failPaths: ['/'] });
    const trig = await api('POST', '/api/sync/inbound', { clinicId, forwardDays: 7 });
    const first = await finalAudit(trig.body.syncId);
    expect(first).toMatchObject({ status: 'failed', errorCode: 'pims_unavailable', attempt: 1 });
    sim.setFaults({});
    const retry = await waitFor('the retry', async () => {
      const h = await api('GET', `/api/sync/history?clinicId=${clinicId}`);
      return h.body.items.find((i: { retryOf: string | null }) => i.retryOf === first.id);
    });
    expect(retry).toMatchObject({ attempt: 2, syncType: 'inbound', options: { forwardDays: 7 } });
    expect(new Date(retry.createdAt).getTime()).toBeGreaterThanOrEqual(new Date(first.completedAt!).getTime());
    const done = await finalAudit(retry.id);
    expect(done.status).toBe('completed');
  });

  it('does not retry a failure that will not pass (wrong password)', async () => {
    const body = clinicBody(sim.url, '7004');
    const created = await api('POST', '/api/clinics', { ...body, pims: { ...body.pims, password: 'Not-The-Password-1' } });
    const clinicId = created.body.id as string;
    const trig = await api('POST', '/api/sync/cases', { clinicId });
    const audit = await finalAudit(trig.body.syncId);
    expect(audit).toMatchObject({ status: 'failed', errorCode: 'pims_auth_failed', attempt: 1 });
    await new Promise((r) => setTimeout(r, 3000));
    const history = await api('GET', `/api/sync/history?clinicId=${clinicId}`);
    expect(history.body.items.length).toBe(1);
    expect(captured.lines.join('')).not.toContain('Not-The-Password-1');
  });

  it('cancels a running sync at its next safe point', async () => {
    const created = await api('POST', '/api/clinics', clinicBody(sim.url, '7002'));
    const clinicId = created.body.id as string;
    sim.setFaults({ latencyMs: 150 });
    try {
      const trig = await api('POST', '/api/sync/full', { clinicId });
      await waitFor('the sync to run', async () => (await api('GET', `/api/sync/${trig.body.syncId}`)).body.status === 'in_progress');
      const cancel = await api('POST', `/api/sync/${trig.body.syncId}/cancel`);
      expect(cancel.status).toBe(202);
      expect(cancel.body).toEqual({ syncId: trig.body.syncId, status: 'in_progress', cancelRequested: true });
      const audit = await finalAudit(trig.body.syncId);
      expect(audit.status).toBe('cancelled');
      expect(audit.phases.some((p) => p.status === 'skipped' || p.status === 'cancelled')).toBe(true);
      // a user's cancel is final: nothing queued again
      expect((await api('GET', `/api/sync/active?clinicId=${clinicId}`)).body.items).toEqual([]);
    } finally {
      sim.setFaults({});
    }
  });

  it('on shutdown stops a running sync at a safe point and queues it again; the next process finishes it', async () => {
    const clinics = (await api('GET', '/api/clinics')).body.clinics as { id: string; name: string }[];
    const clinicId = clinics.find((c) => c.name === 'Clinic 7002')!.id;
    // Slow enough that the run outlasts the 2 s grace even when nothing changed and its PIMS session
    // was kept from an earlier sync (a few sequential requests at 1.5 s each).
    sim.setFaults({ latencyMs: 1500 });
    let trig: { body: { syncId: string } };
    try {
      trig = await api('POST', '/api/sync/full', { clinicId });
      await waitFor('the sync to run', async () => (await api('GET', `/api/sync/${trig.body.syncId}`)).body.status === 'in_progress');
      await svc!.stop(); // grace 2 s, then abort at a safe point and re-queue
      svc = null;
    } finally {
      sim.setFaults({});
    }
    const stopped = (await q(`select status, cancel_requested_at from public.case_sync_audits where id = $1`, [trig.body.syncId]))[0];
    expect(stopped.status).toBe('cancelled');
    expect(stopped.cancel_requested_at).toBeNull();
    const next = (await q(`select id, status, attempt from public.case_sync_audits where retry_of = $1`, [trig.body.syncId]))[0];
    expect(next).toMatchObject({ status: 'queued', attempt: 2 });

    await start();
    const done = await finalAudit(next.id);
    expect(done.status).toBe('completed');
    expect(done.retryOf).toBe(trig.body.syncId);
  });
});
