import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PimsSyncClient } from '@/server/pims-sync-client';
import { adminCaller, callerWithToken, trpcError } from '@/testing/admin-caller';
import { FAKE_API_KEY, sampleAudit, sampleClinic, sampleSettings, startFakePimsSync, type FakePimsSync } from '@/testing/fake-pims-sync';

let fake: FakePimsSync;
let client: PimsSyncClient;

beforeAll(async () => {
  fake = await startFakePimsSync();
  client = new PimsSyncClient({ baseUrl: fake.url, apiKey: FAKE_API_KEY, timeoutMs: 2_000 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const neo = { provider: 'idexx_neo' as const, baseUrl: 'https://neo.example', companyId: '8890', username: 'frontdesk', password: 'S3cret-Pass!' };

describe('admin.clinics', () => {
  it('list: each clinic with its next nightly run from its settings; a clinic whose settings fail keeps its row', async () => {
    const a = sampleClinic({ name: 'A' });
    const b = sampleClinic({ name: 'B', lastSync: { id: randomUUID(), syncType: 'full', status: 'completed', startedAt: null, completedAt: null } });
    fake.clinics = [a, b];
    fake.on('GET', `/api/clinics/${a.id}`, () => ({ status: 200, body: sampleSettings({ id: a.id, nextSyncAt: '2030-01-02T07:00:00.000Z', syncCron: '30 3 * * 1-5' }) }));
    fake.on('GET', `/api/clinics/${b.id}`, () => ({ status: 500, body: { error: { code: 'internal_error', message: 'boom' } } }));
    const list = await (await adminCaller(client)).admin.clinics.list();
    expect(list.map((c) => [c.name, c.settings])).toEqual([
      ['A', { syncEnabled: true, syncCron: '30 3 * * 1-5', nextSyncAt: '2030-01-02T07:00:00.000Z' }],
      ['B', null],
    ]);
    expect(list[1].lastSync?.status).toBe('completed');
  });

  it('create sends the contract body to POST /api/clinics; a body outside it is refused before any request', async () => {
    const id = randomUUID();
    fake.on('POST', '/api/clinics', () => ({ status: 201, body: { id } }));
    const caller = await adminCaller(client);
    expect(await caller.admin.clinics.create({ name: 'Riverside', timezone: 'America/Chicago', pims: neo })).toEqual({ id });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/clinics', body: { name: 'Riverside', timezone: 'America/Chicago', pims: neo } });
    fake.reset();
    for (const bad of [
      { name: 'X', timezone: 'Mars/Olympus', pims: neo },
      { name: 'X', timezone: 'UTC', pims: { ...neo, password: '' } },
      { name: 'X', timezone: 'UTC', pims: { provider: 'ezyvet', baseUrl: 'https://api.ezyvet.com', clientId: 'c', clientSecret: 's' } },
    ]) {
      expect((await trpcError(caller.admin.clinics.create(bad as never))).code).toBe('BAD_REQUEST');
    }
    expect(fake.requests).toHaveLength(0);
  });

  it("testCredentials answers the PIMS's refusal as data; testConnection logs in with the stored credentials", async () => {
    fake.on('POST', '/api/clinics/test-connection', () => ({ status: 200, body: { ok: false, error: { code: 'pims_auth_failed', message: 'IDEXX Neo refused the log-in: Invalid login details' } } }));
    const caller = await adminCaller(client);
    expect(await caller.admin.clinics.testCredentials({ timezone: 'UTC', pims: neo })).toEqual({
      ok: false,
      error: { code: 'pims_auth_failed', message: 'IDEXX Neo refused the log-in: Invalid login details' },
    });
    expect(fake.requests.at(-1)?.body).toEqual({ timezone: 'UTC', pims: neo });
    const id = randomUUID();
    fake.on('POST', `/api/clinics/${id}/test-connection`, () => ({ status: 200, body: { ok: true } }));
    expect(await caller.admin.clinics.testConnection({ clinicId: id })).toEqual({ ok: true });
  });

  it("update sends PATCH; pims-sync's refusals reach the form with their message and fields", async () => {
    const id = randomUUID();
    fake.on('PATCH', `/api/clinics/${id}`, (req) =>
      (req.body as { voiceAssistantId?: string }).voiceAssistantId === 'taken'
        ? { status: 409, body: { error: { code: 'voice_assistant_in_use', message: 'Another clinic uses this voice assistant' } } }
        : (req.body as { schedule?: { closeTime?: string } }).schedule?.closeTime === '07:00'
          ? { status: 400, body: { error: { code: 'validation_error', message: 'Invalid request body', issues: [{ code: 'custom', path: ['schedule', 'closeTime'], message: 'closeTime must be after openTime' }] } } }
          : { status: 200, body: sampleSettings({ id, schedule: { ...sampleSettings().schedule, capacity: 3 } }) },
    );
    const caller = await adminCaller(client);
    expect((await caller.admin.clinics.update({ clinicId: id, patch: { schedule: { capacity: 3 } } })).schedule.capacity).toBe(3);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'PATCH', body: { schedule: { capacity: 3 } } });
    const conflict = await trpcError(caller.admin.clinics.update({ clinicId: id, patch: { voiceAssistantId: 'taken' } }));
    expect([conflict.code, conflict.message]).toEqual(['CONFLICT', 'Another clinic uses this voice assistant']);
    const invalid = await trpcError(caller.admin.clinics.update({ clinicId: id, patch: { schedule: { closeTime: '07:00' } } }));
    expect(invalid.code).toBe('BAD_REQUEST');
    expect((invalid.cause as { issues?: unknown[] }).issues).toEqual([expect.objectContaining({ path: ['schedule', 'closeTime'] })]);
  });

  it('schedule passes the window on; a 404 is NOT_FOUND with the message', async () => {
    const id = randomUUID();
    fake.on('GET', `/api/clinics/${id}/schedule`, (req) => ({
      status: 200,
      body: { clinicId: id, timezone: 'America/Chicago', today: '2026-03-01', from: req.query.from ?? '2026-03-01', to: req.query.to ?? '2026-03-14', slots: [] },
    }));
    const caller = await adminCaller(client);
    expect((await caller.admin.clinics.schedule({ clinicId: id, from: '2026-03-15', to: '2026-03-28' })).from).toBe('2026-03-15');
    expect(fake.requests.at(-1)?.query).toEqual({ from: '2026-03-15', to: '2026-03-28' });
    const missing = await trpcError(caller.admin.clinics.get({ clinicId: randomUUID() }));
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('every procedure is refused without an admin session, before pims-sync is asked', async () => {
    const anon = await callerWithToken(client);
    expect((await trpcError(anon.admin.clinics.list())).code).toBe('UNAUTHORIZED');
    expect((await trpcError(anon.admin.clinics.testCredentials({ timezone: 'UTC', pims: neo }))).code).toBe('UNAUTHORIZED');
    expect((await trpcError(anon.admin.bookings.retryWriteBack({ bookingId: randomUUID() }))).code).toBe('UNAUTHORIZED');
    expect((await trpcError(anon.admin.sync.rerunWithMassDelete({ syncId: randomUUID() }))).code).toBe('UNAUTHORIZED');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('admin.sync.rerunWithMassDelete', () => {
  it('runs a held full sync again with its own windows and allowMassDelete; a held reconciliation as a reconciliation', async () => {
    const clinicId = randomUUID();
    const held = { name: 'reconciliation' as const, status: 'held' as const, startedAt: null, completedAt: null, stats: { heldDeletes: 9 }, error: { code: 'mass_delete_held', message: 'Held' } };
    const full = sampleAudit({ clinicId, syncType: 'full', status: 'partial', phases: [held], options: { bidirectional: true, backwardDays: 21, forwardDays: 10, reconciliationDays: 5, allowMassDelete: false } });
    const recon = sampleAudit({ clinicId, syncType: 'reconciliation', status: 'partial', phases: [held], options: { reconciliationDays: 3, allowMassDelete: false } });
    fake.on('GET', `/api/sync/${full.id}`, () => ({ status: 200, body: full }));
    fake.on('GET', `/api/sync/${recon.id}`, () => ({ status: 200, body: recon }));
    const caller = await adminCaller(client);
    expect((await caller.admin.sync.rerunWithMassDelete({ syncId: full.id })).syncType).toBe('full');
    expect(fake.requests.at(-1)).toMatchObject({
      path: '/api/sync/full',
      body: { clinicId, bidirectional: true, backwardDays: 21, forwardDays: 10, reconciliationDays: 5, allowMassDelete: true, triggeredBy: 'admin', requestedBy: 'admin@example.com' },
    });
    expect((await caller.admin.sync.rerunWithMassDelete({ syncId: recon.id })).syncType).toBe('reconciliation');
    expect(fake.requests.at(-1)).toMatchObject({ path: '/api/sync/reconcile', body: { clinicId, lookbackDays: 3, allowMassDelete: true } });
  });

  it('refuses a sync that held nothing; a running sync of the clinic is CONFLICT with its id', async () => {
    const ok = sampleAudit();
    fake.on('GET', `/api/sync/${ok.id}`, () => ({ status: 200, body: ok }));
    const caller = await adminCaller(client);
    expect((await trpcError(caller.admin.sync.rerunWithMassDelete({ syncId: ok.id }))).code).toBe('PRECONDITION_FAILED');
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    const heldSync = sampleAudit({ status: 'partial', phases: [{ name: 'forward_inbound', status: 'held', startedAt: null, completedAt: null, stats: { heldDeletes: 6 }, error: null }] });
    fake.on('GET', `/api/sync/${heldSync.id}`, () => ({ status: 200, body: heldSync }));
    const activeSyncId = randomUUID();
    fake.on('POST', '/api/sync/full', () => ({ status: 409, body: { error: { code: 'sync_in_progress', message: 'busy', activeSyncId } } }));
    const busy = await trpcError(caller.admin.sync.rerunWithMassDelete({ syncId: heldSync.id }));
    expect(busy.code).toBe('CONFLICT');
    expect((busy.cause as { activeSyncId?: string }).activeSyncId).toBe(activeSyncId);
  });
});
