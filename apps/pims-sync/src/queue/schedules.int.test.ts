import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pims/db/testing';
import { startSimulator, type Simulator } from '@pims/idexx-neo-sim';
import { ClinicsRepository } from '@pims/sync-data-access';
import { parseEncryptionKey } from '@pims/util';
import { loadEnv } from '../env';
import { startService, type ServiceHandle } from '../service';
import { captureLogger, clinicInput, startApiHarness, type ApiHarness } from '../testing/harness';
import { apiClient, clinicBody, scenarioClinic, serviceEnv, SIM_PASSWORD, sleep, testSecrets, waitFor } from '../testing/e2e';
import { ClinicSchedules, dailyQueueName } from './schedules';

/** The nightly sync as pg-boss cron schedules, one per clinic in its own time zone. */

const TZ = 'America/New_York';

function localNow(tz: string): { h: number; m: number; s: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' }).formatToParts(new Date());
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { h: get('hour'), m: get('minute'), s: get('second') };
}

describe('scheduled syncs through two service processes', () => {
  const secrets = testSecrets();
  let db: TestDatabase;
  let sim: Simulator;
  const services: ServiceHandle[] = [];
  const captured = captureLogger('debug');
  const q = async (sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    sim = await startSimulator({ port: 0, scenario: { clinics: [scenarioClinic('9301', { past: 4, future: 2 }), scenarioClinic('9302', { past: 1, future: 1 })] } });
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    await sim?.close();
    await db?.drop();
  });

  it('reconciles schedules at start-up: a clinic created elsewhere gets its 02:00 schedule', async () => {
    const clinics = new ClinicsRepository(db.pool, parseEncryptionKey(secrets.credentialsKey));
    const body = clinicBody(sim.url, '9302');
    const { id } = await clinics.create({ name: body.name, timezone: body.timezone, pims: { ...body.pims, provider: 'idexx_neo' } });
    services.push(await startService(loadEnv(serviceEnv(db.connectionString, secrets)), { logger: captured.logger }));
    const rows = await q(`select name, cron, timezone, data from pgboss.schedule where name = $1`, [dailyQueueName(id)]);
    expect(rows).toEqual([{ name: dailyQueueName(id), cron: '0 2 * * *', timezone: TZ, data: { clinicId: id } }]);

    // A clinic that is gone loses its schedule at the next refresh.
    await db.pool.query(`delete from public.clinics where id = $1`, [id]);
    await waitFor('the schedule to go', async () => (await q(`select 1 from pgboss.schedule where name = $1`, [dailyQueueName(id)])).length === 0, 20_000);
  });

  it('runs a clinic scheduled sync once, with triggered_by schedule, even with two processes watching the clock', async () => {
    // A cron for the current minute in the clinic's zone fires at once, and only in this minute.
    if (localNow(TZ).s > 40) await sleep((61 - localNow(TZ).s) * 1000);
    const { h, m } = localNow(TZ);
    const api = apiClient(services[0].url!, secrets.apiKey);
    const created = await api('POST', '/api/clinics', clinicBody(sim.url, '9301', { schedule: { ...clinicBody(sim.url, '9301').schedule, syncCron: `${m} ${h} * * *` } }));
    expect(created.status).toBe(201);
    const clinicId = created.body.id as string;
    // A second process (worker role) with its own pg-boss clock, started within the same minute.
    services.push(await startService(loadEnv(serviceEnv(db.connectionString, secrets, { PIMS_SYNC_ROLE: 'worker' })), { logger: captured.logger }));

    const scheduled = await waitFor(
      'the scheduled sync to complete',
      async () => {
        const rows = await q(`select id, status, triggered_by, sync_type from public.case_sync_audits where clinic_id = $1`, [clinicId]);
        return rows.length > 0 && rows.every((r) => r.status === 'completed') ? rows : null;
      },
      90_000,
      500,
    );
    expect(scheduled).toEqual([{ id: expect.any(String), status: 'completed', triggered_by: 'schedule', sync_type: 'full' }]);

    // Past the scheduled minute: still exactly one run.
    while (localNow(TZ).m === m) await sleep(1000);
    await sleep(3000);
    const all = await q(`select triggered_by from public.case_sync_audits where clinic_id = $1`, [clinicId]);
    expect(all).toEqual([{ triggered_by: 'schedule' }]);
    const audit = (await api('GET', `/api/sync/${scheduled[0].id}`)).body;
    expect(audit).toMatchObject({ triggeredBy: 'schedule', options: { bidirectional: true, allowMassDelete: false } });
    expect(audit.phases.map((p: { name: string }) => p.name)).toEqual(['backward_inbound', 'case_enrichment', 'forward_inbound', 'reconciliation']);

    expect(captured.lines.join('')).not.toContain(SIM_PASSWORD);
  });
});

describe('a daily run while the clinic is busy', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is skipped (and logged) when the clinic has a sync queued or running, and queued otherwise', async () => {
    const { logger, lines } = captureLogger();
    const schedules = new ClinicSchedules({ boss: h.boss, pool: h.db.pool, clinics: h.clinics, syncs: h.syncs, logger, settings: { consume: false, pollSeconds: 30, refreshSeconds: 60 } });
    const clinicId = (await h.request('POST', '/api/clinics', clinicInput())).body.id as string;
    const manual = await h.request('POST', '/api/sync/full', { clinicId });
    await schedules.onDailyJob(clinicId);
    expect((await h.audits.list({ clinicId, limit: 10 })).items.map((a) => a.id)).toEqual([manual.body.syncId]);
    expect(lines.some((l) => l.includes('daily sync skipped') && l.includes(manual.body.syncId))).toBe(true);

    await h.request('POST', `/api/sync/${manual.body.syncId}/cancel`);
    await schedules.onDailyJob(clinicId);
    const [latest] = (await h.audits.list({ clinicId, limit: 10 })).items;
    expect(latest).toMatchObject({ triggeredBy: 'schedule', syncType: 'full', status: 'queued' });
  });
});
