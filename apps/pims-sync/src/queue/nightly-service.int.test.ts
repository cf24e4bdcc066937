import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { startSimulator, type Simulator } from '@pims/idexx-neo-sim';
import { ClinicsRepository } from '@pims/sync-data-access';
import { parseEncryptionKey } from '@pims/util';
import { apiClient, clinicBody, dumpLogs, jsonLines, scenarioClinic, serviceEnv, SIM_PASSWORD, sleep, spawnService, testSecrets, waitFor, type ServiceChild } from '../testing/e2e';
import { captureLogger } from '../testing/harness';
import { LEGACY_DAILY_QUEUE_PREFIX, startBoss } from './boss';

/**
 * The nightly full sync through two real service processes (main.ts), each running the nightly
 * dispatcher every second: the old per-clinic pg-boss queues are removed at start-up, a new clinic
 * is planned at the next tick, and a run that is due is queued exactly once, by whichever process
 * leads that tick, and completes with triggered_by 'schedule'.
 */

const TZ = 'America/New_York';
const secrets = testSecrets();
let db: TestDatabase;
let sim: Simulator;
const children: ServiceChild[] = [];
const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;
const nightly = async (clinicId: string) =>
  (await q(`select next_sync_at, last_scheduled_at, last_schedule_outcome, last_scheduled_sync_id from public.clinic_schedule_config where clinic_id = $1`, [clinicId]))[0];

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startSimulator({ port: 0, scenario: { clinics: [scenarioClinic('9301', { past: 4, future: 2 }), scenarioClinic('9302', { past: 1, future: 1 })] } });
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop(10_000)));
  dumpLogs('nightly-service', children);
  await sim?.close();
  await db?.drop();
});

describe('scheduled syncs through two service processes', () => {
  let api: ReturnType<typeof apiClient>;
  let elsewhere: string;

  it('at start-up: the per-clinic daily queues of an older version are gone, and a clinic created elsewhere is planned at 02:00 in its zone', async () => {
    // An older version's leftovers: a daily queue and cron schedule per clinic.
    const clinics = new ClinicsRepository(db.pool, parseEncryptionKey(secrets.credentialsKey));
    const body = clinicBody(sim.url, '9302');
    elsewhere = (await clinics.create({ name: body.name, timezone: body.timezone, pims: { ...body.pims, provider: 'idexx_neo' } })).id;
    const old = await startBoss(db.pool, db.connectionString, { jobExpireSeconds: 60, maintenanceSeconds: 600, retryLimit: 1, retryDelaySeconds: 1 }, captureLogger().logger);
    const legacy = `${LEGACY_DAILY_QUEUE_PREFIX}${elsewhere}`;
    await old.createQueue(legacy, { name: legacy, policy: 'standard' });
    await old.schedule(legacy, '0 2 * * *', { clinicId: elsewhere }, { tz: TZ });
    await old.stop({ graceful: false, wait: true, timeout: 1000 });

    const env = (extra: Record<string, string>) => serviceEnv(db.connectionString, secrets, { PIMS_SYNC_DISPATCH_TICK_SECONDS: '1', ...extra });
    const first = spawnService('all', env({ PIMS_SYNC_ROLE: 'all' }));
    const second = spawnService('worker', env({ PIMS_SYNC_ROLE: 'worker' }));
    children.push(first, second);
    api = apiClient(await first.url(), secrets.apiKey);
    await waitFor('the worker process to start', async () => jsonLines(second.lines).some((l) => l.msg === 'pims-sync started'), 90_000);

    expect(await q(`select name from pgboss.schedule`)).toEqual([]);
    expect(await q(`select name from pgboss.queue where name like 'pims-sync-daily-%'`)).toEqual([]);
    const planned = await waitFor('the first tick to plan the clinic', async () => (await nightly(elsewhere)).next_sync_at as Date | null, 30_000);
    expect(DateTime.fromJSDate(planned, { zone: TZ }).toFormat('HH:mm')).toBe('02:00');
    expect(planned.getTime()).toBeGreaterThan(Date.now());
  });

  it('queues a due nightly sync exactly once although two dispatchers tick every second; it completes with triggered_by schedule', async () => {
    const created = await api('POST', '/api/clinics', clinicBody(sim.url, '9301'));
    expect(created.status).toBe(201);
    const clinicId = created.body.id as string;
    await waitFor('the new clinic to be planned', async () => (await nightly(clinicId)).next_sync_at, 30_000);
    expect(await q(`select id from public.case_sync_audits where clinic_id = $1`, [clinicId])).toEqual([]);

    // Its nightly run fell due a minute ago (inside the catch-up window).
    const [{ due }] = await q(`update public.clinic_schedule_config set next_sync_at = date_trunc('minute', now()) - interval '1 minute' where clinic_id = $1 returning next_sync_at as due`, [clinicId]);
    const scheduled = await waitFor(
      'the scheduled sync to complete',
      async () => {
        const rows = await q(`select id, status, triggered_by, sync_type from public.case_sync_audits where clinic_id = $1`, [clinicId]);
        return rows.length > 0 && rows.every((r) => r.status === 'completed') ? rows : null;
      },
      120_000,
      500,
    );
    expect(scheduled).toEqual([{ id: expect.any(String), status: 'completed', triggered_by: 'schedule', sync_type: 'full' }]);

    // The database recorded that run as handled and planned the next one (tomorrow 02:00), so no
    // later tick of either process queues it again.
    const state = await nightly(clinicId);
    expect(state).toMatchObject({ last_scheduled_at: due, last_schedule_outcome: 'queued', last_scheduled_sync_id: scheduled[0].id });
    expect(DateTime.fromJSDate(state.next_sync_at, { zone: TZ }).toFormat('HH:mm')).toBe('02:00');
    expect(state.next_sync_at.getTime()).toBeGreaterThan(Date.now());
    await sleep(3000); // a few more ticks of both dispatchers
    expect(await q(`select triggered_by from public.case_sync_audits where clinic_id = $1`, [clinicId])).toEqual([{ triggered_by: 'schedule' }]);
    // The clinic planned at start-up was not run: its run is not due yet.
    expect(await q(`select id from public.case_sync_audits where clinic_id = $1`, [elsewhere])).toEqual([]);

    const audit = (await api('GET', `/api/sync/${scheduled[0].id}`)).body;
    expect(audit).toMatchObject({ triggeredBy: 'schedule', options: { bidirectional: true, allowMassDelete: false, scheduledFor: due.toISOString() } });
    expect(audit.phases.map((p: { name: string }) => p.name)).toEqual(['backward_inbound', 'case_enrichment', 'forward_inbound', 'reconciliation']);
    expect(await q(`select count(*)::int as n from public.cases where clinic_id = $1`, [clinicId])).toEqual([{ n: 4 }]);

    for (const c of children) expect(c.lines.join('\n')).not.toContain(SIM_PASSWORD);
  });

  it('both processes stop gracefully (the dispatcher stops with them)', async () => {
    const codes = await Promise.all(children.map((c) => c.stop(20_000)));
    expect(codes).toEqual([0, 0]);
    for (const c of children) expect(jsonLines(c.lines).some((l) => l.msg === 'pims-sync stopped')).toBe(true);
  });
});
