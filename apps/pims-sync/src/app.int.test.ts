import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActiveSyncsOutput,
  CancelSyncOutput,
  ErrorBody,
  HealthOutput,
  ListClinicsOutput,
  SyncAudit,
  SyncHistoryOutput,
  TriggerSyncOutput,
} from '@pims/sync-contracts';
import { createApp } from './app';
import { RUN_QUEUE } from './queue/boss';
import { captureLogger, clinicInput, startApiHarness, TEST_API_KEY, type ApiHarness } from './testing/harness';

let h: ApiHarness;

beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  await h?.close();
});

async function newClinic(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request('POST', '/api/clinics', clinicInput(overrides));
  expect(res.status).toBe(201);
  return res.body.id;
}

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = ErrorBody.parse(res.body);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body.error;
}

describe('authentication', () => {
  it('answers 401 on every /api route without the key or with a wrong one, in the error shape', async () => {
    const clinicId = randomUUID();
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/clinics'],
      ['POST', '/api/clinics', clinicInput()],
      ['POST', '/api/sync/full', { clinicId }],
      ['POST', '/api/sync/inbound', { clinicId }],
      ['POST', '/api/sync/cases', { clinicId }],
      ['POST', '/api/sync/reconcile', { clinicId }],
      ['GET', `/api/sync/${clinicId}`],
      ['GET', '/api/sync/history'],
      ['GET', '/api/sync/active'],
      ['POST', `/api/sync/${clinicId}/cancel`],
      ['GET', '/api/openapi.json'],
      ['GET', '/api/no-such-route'],
    ];
    for (const [method, path, body] of routes) {
      expectError(await h.request(method, path, body, {}), 401, 'unauthorized');
      expectError(await h.request(method, path, body, { 'x-api-key': 'wrong-key' }), 401, 'unauthorized');
      expectError(await h.request(method, path, body, { 'x-api-key': `${TEST_API_KEY}x` }), 401, 'unauthorized');
    }
    // nothing was created by the refused requests
    expect((await h.clinics.list()).length).toBe(0);
  });

  it('serves /health without a key', async () => {
    const res = await h.request('GET', '/health', undefined, {});
    expect(res.status).toBe(200);
    expect(HealthOutput.parse(res.body)).toEqual({ status: 'ok', checks: { database: 'ok', queue: 'ok' } });
  });

  it('answers 404 not_found for unknown routes (with the key)', async () => {
    expectError(await h.request('GET', '/api/no-such-route'), 404, 'not_found');
    expectError(await h.request('GET', '/nothing-here', undefined, {}), 404, 'not_found');
  });
});

describe('POST /api/clinics and GET /api/clinics', () => {
  /** The clinic's nightly-schedule state (clinic_schedule_config). */
  const nightly = async (id: string) =>
    (
      await h.db.pool.query(`select sync_enabled, sync_cron, timezone, next_sync_at, catch_up_hours from public.clinic_schedule_config where clinic_id = $1`, [id])
    ).rows;
  const localTime = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('HH:mm');

  it('registers a clinic (201 {id}); the dispatcher plans its nightly sync at 02:00 in its zone at its next tick; starts no sync', async () => {
    const res = await h.request('POST', '/api/clinics', clinicInput({ name: 'Registered Clinic' }));
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['id']);
    const id = res.body.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // Registration writes the settings only; no pg-boss schedule or queue of its own.
    expect(await nightly(id)).toEqual([{ sync_enabled: true, sync_cron: '0 2 * * *', timezone: 'America/New_York', next_sync_at: null, catch_up_hours: 6 }]);
    expect((await h.db.pool.query(`select count(*)::int as n from pgboss.queue where name like 'pims-sync-daily-%'`)).rows[0].n).toBe(0);
    expect((await h.db.pool.query(`select count(*)::int as n from pgboss.schedule`)).rows[0].n).toBe(0);

    const now = new Date();
    const tick = await h.services.dispatcher.tick(now);
    expect(tick).toMatchObject({ led: true, queued: 0 });
    const [row] = await nightly(id);
    expect(row.next_sync_at.getTime()).toBeGreaterThan(now.getTime());
    expect(row.next_sync_at.getTime() - now.getTime()).toBeLessThanOrEqual(25 * 3_600_000);
    expect(localTime(row.next_sync_at, 'America/New_York')).toBe('02:00');
    expect((await h.audits.findActive(id)).length).toBe(0);
  });

  it('uses the clinic cron, time zone and catch-up window when given', async () => {
    const id = await newClinic({
      name: 'Tokyo Clinic',
      timezone: 'Asia/Tokyo',
      schedule: { openTime: '09:00', closeTime: '17:00', daysOfWeek: [1, 2, 3, 4, 5, 6], slotDurationMinutes: 20, capacity: 3, syncCron: '30 3 * * *', catchUpHours: 2 },
    });
    expect(await nightly(id)).toMatchObject([{ sync_enabled: true, sync_cron: '30 3 * * *', timezone: 'Asia/Tokyo', next_sync_at: null, catch_up_hours: 2 }]);
    await h.services.dispatcher.tick(new Date());
    const [row] = await nightly(id);
    expect(localTime(row.next_sync_at, 'Asia/Tokyo')).toBe('03:30');
  });

  it('lists clinics without credentials, with their last sync', async () => {
    const id = await newClinic({ name: 'Listed Clinic' });
    const trig = await h.request('POST', '/api/sync/full', { clinicId: id });
    expect(trig.status).toBe(202);
    const res = await h.request('GET', '/api/clinics');
    expect(res.status).toBe(200);
    const body = ListClinicsOutput.parse(res.body);
    const mine = body.clinics.find((c) => c.id === id)!;
    expect(mine).toMatchObject({ name: 'Listed Clinic', timezone: 'America/New_York', pimsProvider: 'idexx_neo' });
    expect(mine.lastSync).toMatchObject({ id: trig.body.syncId, syncType: 'full', status: 'queued' });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('Sim-Pass-2026!');
    expect(text).not.toContain('frontdesk');
    expect(text).not.toMatch(/password|credential/i);
  });

  it('never logs the password or the request body', async () => {
    await newClinic({ name: 'Log Check', pims: { ...clinicInput().pims, password: 'Very-Secret-Pw-991' } });
    const all = h.logLines.join('');
    expect(all).toContain('clinic registered');
    expect(all).not.toContain('Very-Secret-Pw-991');
    expect(all).not.toContain(TEST_API_KEY);
  });

  const bad: [string, unknown][] = [
    ['missing name', (() => { const { name: _n, ...rest } = clinicInput(); return rest; })()],
    ['empty name', clinicInput({ name: '  ' })],
    ['name not a string', clinicInput({ name: 42 })],
    ['bad time zone', clinicInput({ timezone: 'Mars/Olympus' })],
    ['unknown field', clinicInput({ color: 'blue' })],
    ['unknown pims field', clinicInput({ pims: { ...clinicInput().pims, token: 'x' } })],
    ['other provider', clinicInput({ pims: { ...clinicInput().pims, provider: 'cornerstone' } })],
    ['baseUrl not a URL', clinicInput({ pims: { ...clinicInput().pims, baseUrl: 'not a url' } })],
    ['baseUrl not http', clinicInput({ pims: { ...clinicInput().pims, baseUrl: 'ftp://neo.example.com' } })],
    ['missing password', clinicInput({ pims: { provider: 'idexx_neo', baseUrl: 'http://x.example', username: 'u' } })],
    ['bad open time', clinicInput({ schedule: { openTime: '8am' } })],
    ['close before open', clinicInput({ schedule: { openTime: '18:00', closeTime: '08:00' } })],
    ['day of week 0', clinicInput({ schedule: { daysOfWeek: [0, 1] } })],
    ['day of week 8', clinicInput({ schedule: { daysOfWeek: [8] } })],
    ['capacity 0', clinicInput({ schedule: { capacity: 0 } })],
    ['unknown schedule field', clinicInput({ schedule: { lunch: '12:00' } })],
    ['bad cron', clinicInput({ schedule: { syncCron: 'every night at two' } })],
    ['catch-up window of a day', clinicInput({ schedule: { catchUpHours: 24 } })],
    ['catch-up window not whole hours', clinicInput({ schedule: { catchUpHours: 1.5 } })],
  ];
  for (const [what, body] of bad) {
    it(`answers 400 validation_error with issues: ${what}`, async () => {
      const before = (await h.clinics.list()).length;
      const err = expectError(await h.request('POST', '/api/clinics', body), 400, 'validation_error');
      expect(Array.isArray(err.issues) && err.issues.length > 0).toBe(true);
      expect((await h.clinics.list()).length).toBe(before);
    });
  }

  it('answers 400 invalid_json for a malformed body, and never echoes it', async () => {
    const res = await h.request('POST', '/api/clinics', '{"name": "x", "pims": {"password": "Leak-Me-123"');
    expectError(res, 400, 'invalid_json');
    expect(JSON.stringify(res.body)).not.toContain('Leak-Me-123');
  });

  it('does not echo the password in validation issues', async () => {
    const res = await h.request('POST', '/api/clinics', clinicInput({ timezone: 'Nowhere/Zone', pims: { ...clinicInput().pims, password: 'Echo-Check-777' } }));
    expectError(res, 400, 'validation_error');
    expect(JSON.stringify(res.body)).not.toContain('Echo-Check-777');
  });
});

describe('sync triggers', () => {
  it('queues a full sync: 202 {syncId, status: "queued"}, the audit with the options and defaults, and its job', async () => {
    const clinicId = await newClinic();
    const res = await h.request('POST', '/api/sync/full', { clinicId, requestedBy: 'dr.rivera@example.com' });
    expect(res.status).toBe(202);
    expect(TriggerSyncOutput.parse(res.body)).toEqual({ syncId: expect.any(String), status: 'queued' });
    const audit = (await h.audits.findById(res.body.syncId))!;
    expect(audit).toMatchObject({
      clinicId,
      syncType: 'full',
      status: 'queued',
      triggeredBy: 'api',
      requestedBy: 'dr.rivera@example.com',
      attempt: 1,
      retryOf: null,
      // day counts left out come from the clinic's config when the sync runs
      options: { bidirectional: true, allowMassDelete: false },
    });
    expect(Object.keys(audit.options).sort()).toEqual(['allowMassDelete', 'bidirectional']);
    const job = await h.boss.getJobById<{ syncId: string }>(RUN_QUEUE, audit.id);
    expect(job).toMatchObject({ id: audit.id, state: 'created', data: { syncId: audit.id, clinicId } });
  });

  it('stores given options; the dashboard sends triggeredBy "admin"', async () => {
    const clinicId = await newClinic();
    const res = await h.request('POST', '/api/sync/full', {
      clinicId,
      bidirectional: false,
      backwardDays: 90,
      forwardDays: 1,
      reconciliationDays: 30,
      allowMassDelete: true,
      triggeredBy: 'admin',
    });
    expect(res.status).toBe(202);
    expect(await h.audits.findById(res.body.syncId)).toMatchObject({
      triggeredBy: 'admin',
      options: { bidirectional: false, backwardDays: 90, forwardDays: 1, reconciliationDays: 30, allowMassDelete: true },
    });
  });

  it('queues inbound, cases and reconcile syncs with their options', async () => {
    const cases: [string, Record<string, unknown>, string, Record<string, unknown>][] = [
      ['/api/sync/inbound', { forwardDays: 30 }, 'inbound', { forwardDays: 30 }],
      ['/api/sync/inbound', {}, 'inbound', {}],
      ['/api/sync/cases', { backwardDays: 3 }, 'cases', { backwardDays: 3 }],
      ['/api/sync/cases', {}, 'cases', {}],
      ['/api/sync/reconcile', { lookbackDays: 30, allowMassDelete: true }, 'reconciliation', { reconciliationDays: 30, allowMassDelete: true }],
      ['/api/sync/reconcile', {}, 'reconciliation', { allowMassDelete: false }],
    ];
    for (const [path, extra, syncType, options] of cases) {
      const clinicId = await newClinic();
      const res = await h.request('POST', path, { clinicId, ...extra });
      expect(res.status, path).toBe(202);
      expect(res.body.status).toBe('queued');
      const audit = await h.audits.findById(res.body.syncId);
      expect(audit).toMatchObject({ syncType, status: 'queued' });
      expect(audit!.options).toEqual(options);
    }
  });

  it('answers 409 sync_in_progress with the active sync id on a second trigger of any type', async () => {
    const clinicId = await newClinic();
    const first = await h.request('POST', '/api/sync/full', { clinicId });
    expect(first.status).toBe(202);
    for (const path of ['/api/sync/full', '/api/sync/inbound', '/api/sync/cases', '/api/sync/reconcile']) {
      const err = expectError(await h.request('POST', path, { clinicId }), 409, 'sync_in_progress');
      expect(err.activeSyncId).toBe(first.body.syncId);
    }
    // still only one job for the clinic
    const { rows } = await h.db.pool.query(`select count(*)::int as n from pgboss.job where name = $1 and data->>'clinicId' = $2`, [RUN_QUEUE, clinicId]);
    expect(rows[0].n).toBe(1);
  });

  it('lets exactly one of several racing triggers win; the others get 409 naming the winner', async () => {
    const clinicId = await newClinic();
    const results = await Promise.all(
      ['/api/sync/full', '/api/sync/full', '/api/sync/inbound', '/api/sync/cases', '/api/sync/reconcile', '/api/sync/full'].map((p) =>
        h.request('POST', p, { clinicId }),
      ),
    );
    const won = results.filter((r) => r.status === 202);
    const lost = results.filter((r) => r.status === 409);
    expect(won.length).toBe(1);
    expect(lost.length).toBe(results.length - 1);
    for (const r of lost) expect(r.body.error).toMatchObject({ code: 'sync_in_progress', activeSyncId: won[0].body.syncId });
    expect((await h.audits.findActive(clinicId)).map((a) => a.id)).toEqual([won[0].body.syncId]);
    const { rows } = await h.db.pool.query(`select count(*)::int as n from pgboss.job where name = $1 and data->>'clinicId' = $2`, [RUN_QUEUE, clinicId]);
    expect(rows[0].n).toBe(1);
  });

  it('answers 404 clinic_not_found for an unknown clinic, leaving no audit and no job', async () => {
    const clinicId = randomUUID();
    expectError(await h.request('POST', '/api/sync/full', { clinicId }), 404, 'clinic_not_found');
    const { rows } = await h.db.pool.query(`select count(*)::int as n from pgboss.job where name = $1 and data->>'clinicId' = $2`, [RUN_QUEUE, clinicId]);
    expect(rows[0].n).toBe(0);
  });

  const clinicId = '6f1c2f9e-2d5b-4a53-9a43-2f7f0a6c1b11';
  const badTriggers: [string, string, unknown][] = [
    ['full', 'missing clinicId', {}],
    ['full', 'clinicId not a uuid', { clinicId: 'clinic-1' }],
    ['full', 'clinicId a number', { clinicId: 12 }],
    ['full', 'backwardDays 0', { clinicId, backwardDays: 0 }],
    ['full', 'backwardDays 91', { clinicId, backwardDays: 91 }],
    ['full', 'backwardDays 1.5', { clinicId, backwardDays: 1.5 }],
    ['full', 'backwardDays a string', { clinicId, backwardDays: '14' }],
    ['full', 'forwardDays 0', { clinicId, forwardDays: 0 }],
    ['full', 'forwardDays 91', { clinicId, forwardDays: 91 }],
    ['full', 'reconciliationDays 0', { clinicId, reconciliationDays: 0 }],
    ['full', 'reconciliationDays 31', { clinicId, reconciliationDays: 31 }],
    ['full', 'bidirectional not a boolean', { clinicId, bidirectional: 'yes' }],
    ['full', 'allowMassDelete not a boolean', { clinicId, allowMassDelete: 1 }],
    ['full', 'triggeredBy schedule (not a client value)', { clinicId, triggeredBy: 'schedule' }],
    ['full', 'triggeredBy unknown', { clinicId, triggeredBy: 'robot' }],
    ['full', 'requestedBy empty', { clinicId, requestedBy: '' }],
    ['full', 'unknown field', { clinicId, force: true }],
    ['full', 'lookbackDays is not a full-sync field', { clinicId, lookbackDays: 7 }],
    ['inbound', 'forwardDays 0', { clinicId, forwardDays: 0 }],
    ['inbound', 'forwardDays 91', { clinicId, forwardDays: 91 }],
    ['inbound', 'backwardDays unknown here', { clinicId, backwardDays: 3 }],
    ['inbound', 'clinicId not a uuid', { clinicId: 'abc' }],
    ['cases', 'backwardDays 0', { clinicId, backwardDays: 0 }],
    ['cases', 'backwardDays 91', { clinicId, backwardDays: 91 }],
    ['cases', 'forwardDays unknown here', { clinicId, forwardDays: 3 }],
    ['reconcile', 'lookbackDays 0', { clinicId, lookbackDays: 0 }],
    ['reconcile', 'lookbackDays 31', { clinicId, lookbackDays: 31 }],
    ['reconcile', 'allowMassDelete a string', { clinicId, allowMassDelete: 'true' }],
    ['reconcile', 'reconciliationDays is the full-sync name', { clinicId, reconciliationDays: 7 }],
    ['reconcile', 'body not an object', [clinicId]],
  ];
  for (const [route, what, body] of badTriggers) {
    it(`answers 400 validation_error: ${route} with ${what}`, async () => {
      const err = expectError(await h.request('POST', `/api/sync/${route}`, body), 400, 'validation_error');
      expect(Array.isArray(err.issues) && err.issues.length > 0).toBe(true);
    });
  }

  it('answers 400 for a trigger without a JSON body and for malformed JSON', async () => {
    expectError(await h.request('POST', '/api/sync/full', undefined), 400, 'validation_error');
    expectError(await h.request('POST', '/api/sync/full', '{"clinicId":'), 400, 'invalid_json');
  });
});

describe('GET /api/sync/:syncId', () => {
  it('answers the audit row as camelCase JSON with phases', async () => {
    const clinicId = await newClinic({ name: 'Audit Shape' });
    const trig = await h.request('POST', '/api/sync/full', { clinicId });
    const res = await h.request('GET', `/api/sync/${trig.body.syncId}`);
    expect(res.status).toBe(200);
    const audit = SyncAudit.parse(res.body);
    expect(audit).toMatchObject({ id: trig.body.syncId, clinicId, clinicName: 'Audit Shape', syncType: 'full', status: 'queued', phases: [], casesDeleted: 0, progressPercentage: 0, triggeredBy: 'api' });
    expect(Object.keys(res.body)).not.toContain('sync_type');
  });

  it('answers 404 sync_not_found for an unknown id and 400 for a non-uuid id', async () => {
    expectError(await h.request('GET', `/api/sync/${randomUUID()}`), 404, 'sync_not_found');
    expectError(await h.request('GET', '/api/sync/not-a-uuid'), 400, 'validation_error');
    expectError(await h.request('GET', '/api/sync/12345'), 400, 'validation_error');
  });
});

describe('GET /api/sync/history', () => {
  it('pages newest first with a cursor, and filters by clinic, type and status', async () => {
    const clinicId = await newClinic({ name: 'History Clinic' });
    const ids: string[] = [];
    const types = ['full', 'inbound', 'cases', 'reconcile', 'full'];
    for (const t of types) {
      const r = await h.request('POST', `/api/sync/${t}`, { clinicId });
      expect(r.status).toBe(202);
      ids.push(r.body.syncId);
      // cancel it so the clinic can queue the next one
      expect((await h.request('POST', `/api/sync/${r.body.syncId}/cancel`)).status).toBe(202);
    }
    const last = await h.request('POST', '/api/sync/full', { clinicId });
    ids.push(last.body.syncId);
    const newestFirst = [...ids].reverse();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: unknown } = await h.request('GET', `/api/sync/history?clinicId=${clinicId}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = SyncHistoryOutput.parse(res.body);
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(2);
    expect(seen).toEqual(newestFirst);

    const byType = SyncHistoryOutput.parse((await h.request('GET', `/api/sync/history?clinicId=${clinicId}&type=full`)).body);
    expect(byType.items.map((i) => i.id)).toEqual([ids[5], ids[4], ids[0]]);
    const byStatus = SyncHistoryOutput.parse((await h.request('GET', `/api/sync/history?clinicId=${clinicId}&status=queued`)).body);
    expect(byStatus.items.map((i) => i.id)).toEqual([ids[5]]);
    const cancelled = SyncHistoryOutput.parse((await h.request('GET', `/api/sync/history?clinicId=${clinicId}&status=cancelled&limit=100`)).body);
    expect(cancelled.items.length).toBe(5);
    expect(cancelled.nextCursor).toBeNull();
    const total = (await h.db.pool.query('select count(*)::int as n from public.case_sync_audits')).rows[0].n as number;
    const all = SyncHistoryOutput.parse((await h.request('GET', '/api/sync/history')).body);
    expect(all.items.length).toBe(Math.min(total, 20)); // the default limit
    expect(all.nextCursor === null).toBe(total <= 20);
  });

  const badQueries = [
    ['limit 0', 'limit=0'],
    ['limit 101', 'limit=101'],
    ['limit not a number', 'limit=ten'],
    ['limit negative', 'limit=-1'],
    ['clinicId not a uuid', 'clinicId=abc'],
    ['unknown type', 'type=weekly'],
    ['unknown status', 'status=done'],
    ['unknown parameter', 'page=2'],
  ];
  for (const [what, qs] of badQueries) {
    it(`answers 400 validation_error: ${what}`, async () => {
      expectError(await h.request('GET', `/api/sync/history?${qs}`), 400, 'validation_error');
    });
  }

  it('answers 400 for a cursor it did not issue', async () => {
    expectError(await h.request('GET', '/api/sync/history?cursor=garbage'), 400, 'invalid_cursor');
  });
});

describe('GET /api/sync/active', () => {
  it('lists queued and running syncs, optionally of one clinic', async () => {
    const a = await newClinic({ name: 'Active A' });
    const b = await newClinic({ name: 'Active B' });
    const ta = await h.request('POST', '/api/sync/full', { clinicId: a });
    const tb = await h.request('POST', '/api/sync/inbound', { clinicId: b });
    await h.audits.markStarted(tb.body.syncId, []);
    const onlyA = ActiveSyncsOutput.parse((await h.request('GET', `/api/sync/active?clinicId=${a}`)).body);
    expect(onlyA.items.map((i) => [i.id, i.status])).toEqual([[ta.body.syncId, 'queued']]);
    const all = ActiveSyncsOutput.parse((await h.request('GET', '/api/sync/active')).body);
    const ids = all.items.map((i) => i.id);
    expect(ids).toContain(ta.body.syncId);
    expect(ids).toContain(tb.body.syncId);
    expect(all.items.find((i) => i.id === tb.body.syncId)!.status).toBe('in_progress');
    expect(all.items.every((i) => i.status === 'queued' || i.status === 'in_progress')).toBe(true);
  });

  it('answers 400 for a non-uuid clinicId or an unknown parameter', async () => {
    expectError(await h.request('GET', '/api/sync/active?clinicId=nope'), 400, 'validation_error');
    expectError(await h.request('GET', '/api/sync/active?status=queued'), 400, 'validation_error');
  });
});

describe('POST /api/sync/:syncId/cancel', () => {
  it('cancels a queued sync at once (and drops its job); the clinic can sync again', async () => {
    const clinicId = await newClinic();
    const trig = await h.request('POST', '/api/sync/full', { clinicId });
    const res = await h.request('POST', `/api/sync/${trig.body.syncId}/cancel`);
    expect(res.status).toBe(202);
    expect(CancelSyncOutput.parse(res.body)).toEqual({ syncId: trig.body.syncId, status: 'cancelled', cancelRequested: true });
    expect(await h.audits.findById(trig.body.syncId)).toMatchObject({ status: 'cancelled' });
    expect((await h.boss.getJobById(RUN_QUEUE, trig.body.syncId))?.state).toBe('cancelled');
    expect((await h.request('POST', '/api/sync/full', { clinicId })).status).toBe(202);
  });

  it('flags a running sync; it stops at its next safe point', async () => {
    const clinicId = await newClinic();
    const trig = await h.request('POST', '/api/sync/full', { clinicId });
    await h.audits.markStarted(trig.body.syncId, []);
    const res = await h.request('POST', `/api/sync/${trig.body.syncId}/cancel`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ syncId: trig.body.syncId, status: 'in_progress', cancelRequested: true });
    expect((await h.audits.findById(trig.body.syncId))!.cancelRequestedAt).not.toBeNull();
  });

  it('answers 409 sync_not_active for a finished sync, 404 for an unknown one, 400 for a non-uuid', async () => {
    const clinicId = await newClinic();
    const trig = await h.request('POST', '/api/sync/full', { clinicId });
    await h.request('POST', `/api/sync/${trig.body.syncId}/cancel`);
    expectError(await h.request('POST', `/api/sync/${trig.body.syncId}/cancel`), 409, 'sync_not_active');
    expectError(await h.request('POST', `/api/sync/${randomUUID()}/cancel`), 404, 'sync_not_found');
    expectError(await h.request('POST', '/api/sync/xyz/cancel'), 400, 'validation_error');
  });
});

describe('OpenAPI', () => {
  const doc = async () => {
    const res = await h.request('GET', '/openapi.json', undefined, {});
    expect(res.status).toBe(200);
    return res.body;
  };

  it('serves a document generated from the zod schemas, covering every route', async () => {
    const body = await doc();
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths).sort()).toEqual(
      [
        '/health',
        '/api/clinics',
        '/api/clinics/{id}',
        '/api/clinics/{id}/test-connection',
        '/api/clinics/{id}/availability',
        '/api/clinics/{id}/schedule',
        '/api/clinics/test-connection',
        '/api/bookings',
        '/api/bookings/holds',
        '/api/bookings/{id}',
        '/api/bookings/{id}/cancel',
        '/api/bookings/{id}/reschedule',
        '/api/bookings/{id}/write-back',
        '/api/sync/full',
        '/api/sync/inbound',
        '/api/sync/cases',
        '/api/sync/reconcile',
        '/api/sync/history',
        '/api/sync/active',
        '/api/sync/{syncId}',
        '/api/sync/{syncId}/cancel',
        '/api/vapi/tool-calls',
        '/api/vapi/tools',
        '/openapi.json',
        '/docs',
        '/metrics',
      ].sort(),
    );
    const full = body.components.schemas.TriggerFullSyncInput;
    expect(full.additionalProperties).toBe(false);
    expect(full.properties.backwardDays).toMatchObject({ type: 'integer', minimum: 1, maximum: 90 });
    expect(full.required).toEqual(['clinicId']);
    const history = body.paths['/api/sync/history'].get.parameters.map((p: { name: string }) => p.name);
    expect(history).toEqual(['clinicId', 'type', 'status', 'limit', 'cursor']);
  });

  it('lists exactly the routes the app serves, each method and path', async () => {
    const body = await doc();
    const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    // The app's own routing table (middleware, registered for every method, left out).
    const served = [...new Set(h.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`))];
    // Not in the document: the docs page's own files, and the old address of the document (a redirect).
    const undocumented = ['GET /docs/assets/{file}', 'GET /api/openapi.json'];
    expect(served.filter((r) => !undocumented.includes(r)).sort()).toEqual(documented);
    expect(served).toEqual(expect.arrayContaining(undocumented));
  });

  it('gives every route its request and response schemas; every /api route the key and the error body', async () => {
    const body = await doc();
    const resolve = (s: { $ref?: string }) => (s.$ref ? body.components.schemas[s.$ref.split('/').pop()!] : s);
    for (const [path, ops] of Object.entries(body.paths as Record<string, Record<string, any>>)) { // eslint-disable-line @typescript-eslint/no-explicit-any
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method} ${path}`;
        const statuses = Object.keys(op.responses);
        expect(statuses.some((s) => s.startsWith('2')), where).toBe(true);
        for (const s of statuses) {
          const content = op.responses[s].content;
          expect(content, `${where} ${s}`).toBeDefined();
          const schema = Object.values(content as Record<string, { schema: { $ref?: string } }>)[0].schema;
          expect(resolve(schema), `${where} ${s}`).toBeDefined();
        }
        if (path.startsWith('/api/')) {
          // Vapi's tool calls carry Vapi's secret instead (CONTRACT section 8).
          expect(op.security, where).toEqual(path === '/api/vapi/tool-calls' ? [{ vapiSecret: [] }, { vapiBearer: [] }] : [{ apiKey: [] }]);
          for (const s of ['401', '500']) expect(op.responses[s].content['application/json'].schema, `${where} ${s}`).toEqual({ $ref: '#/components/schemas/ErrorBody' });
        } else if (path === '/metrics') {
          // Prometheus's bearer token, or the API key (see routes/metrics/auth.ts).
          expect(op.security, where).toEqual([{ metricsBearer: [] }, { apiKey: [] }]);
        } else {
          expect(op.security, where).toBeUndefined();
        }
        // POSTs that take no body (a booking's cancel takes an optional one).
        const bodiless = ['/cancel', '/test-connection', '/write-back'].some((end) => path.endsWith(end));
        if (method === 'post' && !bodiless) {
          expect(op.requestBody.required, where).toBe(true);
          const input = resolve(op.requestBody.content['application/json'].schema);
          expect(input.type, where).toBe('object');
          // Strict bodies, but Vapi's server message: Vapi adds fields of its own to it.
          expect(input.additionalProperties, where).toEqual(path === '/api/vapi/tool-calls' ? {} : false);
          for (const s of ['400', '413', '415']) expect(op.responses[s], `${where} ${s}`).toBeDefined();
        }
        if (path.includes('{syncId}')) expect(op.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`), where).toEqual(['path:syncId']);
      }
    }
    expect(body.components.securitySchemes.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(resolve(body.paths['/api/sync/{syncId}'].get.responses['200'].content['application/json'].schema).required).toEqual(expect.arrayContaining(['id', 'phases', 'syncType']));
  });

  it('writes each pattern as a regular expression that compiles (no /flags suffix)', async () => {
    const patterns: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'pattern' && typeof x === 'string') patterns.push(x);
          else walk(x);
        }
      }
    };
    walk(await doc());
    expect(patterns.length).toBeGreaterThan(5);
    for (const p of patterns) {
      expect(p).not.toMatch(/\/[a-z]+$/);
      expect(() => new RegExp(p, 'u'), p).not.toThrow();
    }
    const name = (await doc()).components.schemas.CreateClinicInput.properties.name;
    expect(new RegExp(name.pattern, 'u').test('Happy Paws')).toBe(true);
    expect(new RegExp(name.pattern, 'u').test('Happy\u0000Paws')).toBe(false);
  });

  it('answers the old address, /api/openapi.json, with a redirect (behind the key)', async () => {
    const res = await h.app.request('/api/openapi.json', { headers: { 'x-api-key': TEST_API_KEY } });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/openapi.json');
  });

  it('serves /docs (no key): a page whose scripts and styles the app serves itself', async () => {
    const page = await h.app.request('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      expect(ref, 'no other origin').not.toMatch(/^(https?:)?\/\//);
      const url = new URL(ref, 'http://localhost/docs');
      const asset = await h.app.request(url.pathname);
      expect(asset.status, url.pathname).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, url.pathname).toBeGreaterThan(0);
    }
    const scripts = await Promise.all(
      [...html.matchAll(/<script src="([^"]+)"/g)].map(async (m) => {
        const res = await h.app.request(new URL(m[1], 'http://localhost/docs').pathname);
        expect(res.headers.get('content-type')).toMatch(/javascript/);
        return res.text();
      }),
    );
    expect(scripts.join('\n')).toContain('SwaggerUIBundle');
    // The page loads the document the app serves at /openapi.json.
    expect(new URL(/url: '([^']+)'/.exec(scripts.join('\n'))![1], 'http://localhost/docs').pathname).toBe('/openapi.json');
    expectError(await h.request('GET', '/docs/assets/package.json', undefined, {}), 404, 'not_found');
    expectError(await h.request('GET', '/docs/assets/..%2Fpackage.json', undefined, {}), 404, 'not_found');
  });
});

describe('errors the client never sees the text of', () => {
  it('turns an unknown error into 500 internal_error without its message', async () => {
    const { logger, lines } = captureLogger();
    const failing = {
      list: async () => {
        throw new Error('db exploded: password=hunter2 at 10.0.0.5');
      },
    } as unknown as ApiHarness['clinics'];
    const app = createApp({
      apiKey: TEST_API_KEY,
      logger,
      clinics: failing,
      audits: h.audits,
      syncs: h.syncs,
      bookings: h.services.bookings,
      writeBack: h.services.writeBack,
      registry: h.services.registry,
      health: { database: async () => false, queue: async () => 'ok' },
    });
    const res = await app.request('/api/clinics', { headers: { 'x-api-key': TEST_API_KEY } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: 'Internal server error' } });
    expect(text).not.toContain('exploded');
    const logged = lines.join('');
    expect(logged).toContain('db exploded');
    expect(logged).not.toContain('hunter2');

    const health = await app.request('/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'error', checks: { database: 'error', queue: 'ok' } });
  });
});
