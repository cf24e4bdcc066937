// The clinic settings API (CONTRACT section 11) through the app on a real PostgreSQL: GET, PATCH and
// test-connection, the last with a real log-in by the IDEXX Neo client in Chromium against the
// simulator. No answer and no log line ever holds a password.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdexxNeoProvider } from '@pims/idexx-neo';
import { startSimulator, type Simulator } from '@pims/idexx-neo-sim';
import { ClinicSettings, ErrorBody, TestConnectionOutput } from '@pims/sync-contracts';
import { PASSWORD, scenarioClinic } from '@pims/sync-data-access/testing';
import { clinicInput, startApiHarness, type ApiHarness } from '../../testing/harness';

const SECRET = 'Sim-Pass-2026!'; // the harness's clinicInput password
let h: ApiHarness;
let sim: Simulator;
let neo: ReturnType<typeof createIdexxNeoProvider>;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scenario: { clinics: [scenarioClinic('7301', 'America/Chicago', [])] } });
  neo = createIdexxNeoProvider({
    chromiumPath: process.env.CHROMIUM_PATH || undefined,
    retry: { retries: 1, baseDelayMs: 20, maxDelayMs: 100 },
    requestTimeoutMs: 15_000,
  });
  h = await startApiHarness({ providers: [neo] });
});
afterAll(async () => {
  await h?.close();
  await neo?.close();
  await sim?.close();
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await h.db.pool.query(sql, params)).rows as T[];

async function newClinic(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request('POST', '/api/clinics', clinicInput({ name: `Clinic ${randomUUID().slice(0, 8)}`, ...overrides }));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function settings(id: string): Promise<ClinicSettings> {
  const res = await h.request('GET', `/api/clinics/${id}`);
  expect(res.status).toBe(200);
  return ClinicSettings.parse(res.body);
}

async function patch(id: string, body: unknown) {
  const res = await h.request('PATCH', `/api/clinics/${id}`, body);
  return res;
}

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const body = ErrorBody.parse(res.body);
  expect(body.error.code).toBe(code);
  return body.error;
}

/** Every answer and log line of the test file, searched for passwords at the end. */
const answers: string[] = [];
const keep = <T extends { body: unknown }>(res: T) => {
  answers.push(JSON.stringify(res.body));
  return res;
};

afterAll(() => {
  const all = answers.join('\n') + h.logLines.join('');
  for (const secret of [SECRET, 'New-Pass-2027!', 'Wrong-Pass-1!', PASSWORD]) expect(all).not.toContain(secret);
});

describe('GET /api/clinics/:id', () => {
  it('answers the settings of section 11 and never a password', async () => {
    const id = await newClinic({ voiceAssistantId: 'asst-get-1', schedule: { openTime: '09:00', closeTime: '17:30', daysOfWeek: [1, 2, 3], slotDurationMinutes: 20, capacity: 3 } });
    const res = keep(await h.request('GET', `/api/clinics/${id}`));
    expect(res.status).toBe(200);
    const s = ClinicSettings.parse(res.body);
    expect(s).toMatchObject({
      id,
      timezone: 'America/New_York',
      pimsProvider: 'idexx_neo',
      pims: { baseUrl: 'http://127.0.0.1:3200', companyId: '8890', username: 'frontdesk' },
      schedule: { openTime: '09:00', closeTime: '17:30', daysOfWeek: [1, 2, 3], slotDurationMinutes: 20, capacity: 3, hasBusinessHours: true },
      syncCron: '0 2 * * *',
      catchUpHours: 6,
      backwardDays: 14,
      forwardDays: 14,
      reconciliationDays: 7,
      syncEnabled: true,
      voiceAssistantId: 'asst-get-1',
      // Nothing chosen: a voice booking gets what the PIMS's calendar set-up names.
      writeDefaults: { appointmentTypeId: null, roomId: null, providerId: null },
      nextSyncAt: null,
      lastSync: null,
    });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(JSON.stringify(res.body)).not.toMatch(/password|secret|credential/i);
    // Planned by the dispatcher: shown as it is.
    await q(`update public.clinic_schedule_config set next_sync_at = '2030-01-02T07:00:00Z' where clinic_id = $1`, [id]);
    expect((await settings(id)).nextSyncAt).toBe('2030-01-02T07:00:00.000Z');
  });

  it('400 for a malformed id, 404 for an unknown one, 401 without the key', async () => {
    expectError(await h.request('GET', '/api/clinics/not-a-uuid'), 400, 'validation_error');
    expectError(await h.request('GET', `/api/clinics/${randomUUID()}`), 404, 'clinic_not_found');
    expectError(await h.request('GET', `/api/clinics/${randomUUID()}`, undefined, {}), 401, 'unauthorized');
  });
});

describe('PATCH /api/clinics/:id', () => {
  it('changes any of the settings; GET answers what PATCH answered', async () => {
    const id = await newClinic();
    const res = keep(
      await patch(id, {
        name: '  Renamed Clinic ',
        schedule: { closeTime: '19:00', capacity: 4 },
        syncCron: '30 3 * * 1-5',
        catchUpHours: 2,
        backwardDays: 30,
        forwardDays: 21,
        reconciliationDays: 10,
        syncEnabled: false,
        voiceAssistantId: 'asst-patch-1',
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const s = ClinicSettings.parse(res.body);
    expect(s).toMatchObject({
      name: 'Renamed Clinic',
      schedule: { openTime: '08:00', closeTime: '19:00', capacity: 4, slotDurationMinutes: 30, daysOfWeek: [1, 2, 3, 4, 5], hasBusinessHours: true },
      syncCron: '30 3 * * 1-5',
      catchUpHours: 2,
      backwardDays: 30,
      forwardDays: 21,
      reconciliationDays: 10,
      syncEnabled: false,
      voiceAssistantId: 'asst-patch-1',
    });
    expect(await settings(id)).toEqual(s);
    const [row] = await q(
      `select open_time::text, close_time::text, default_capacity, sync_cron, catch_up_hours, backward_sync_days, forward_sync_days, reconciliation_days, sync_enabled
       from public.clinic_schedule_config where clinic_id = $1`,
      [id],
    );
    expect(row).toEqual({
      open_time: '08:00:00',
      close_time: '19:00:00',
      default_capacity: 4,
      sync_cron: '30 3 * * 1-5',
      catch_up_hours: 2,
      backward_sync_days: 30,
      forward_sync_days: 21,
      reconciliation_days: 10,
      sync_enabled: false,
    });
    // Null unlinks the voice assistant.
    expect(ClinicSettings.parse((await patch(id, { voiceAssistantId: null })).body).voiceAssistantId).toBeNull();
  });

  it('sets the write defaults (type, room, provider a voice booking gets in the PIMS); left out stays, null resets', async () => {
    const id = await newClinic();
    const cols = () =>
      q(`select write_appointment_type_id as type, write_room_id as room, write_provider_id as provider from public.clinic_schedule_config where clinic_id = $1`, [id]);
    const set = keep(await patch(id, { writeDefaults: { appointmentTypeId: ' t-recheck ', roomId: 'r2', providerId: 'p-7' } }));
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(ClinicSettings.parse(set.body).writeDefaults).toEqual({ appointmentTypeId: 't-recheck', roomId: 'r2', providerId: 'p-7' });
    expect((await settings(id)).writeDefaults).toEqual({ appointmentTypeId: 't-recheck', roomId: 'r2', providerId: 'p-7' });
    expect(await cols()).toEqual([{ type: 't-recheck', room: 'r2', provider: 'p-7' }]);
    // The engine reads the same columns.
    expect(await h.services.writeBack.repository.writeDefaults(id)).toEqual({ appointmentTypeId: 't-recheck', roomId: 'r2', providerId: 'p-7' });

    // Only the room back to the PIMS's set-up; the others stay, and so does the rest of the clinic.
    const reset = await patch(id, { writeDefaults: { roomId: null } });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(reset.body.writeDefaults).toEqual({ appointmentTypeId: 't-recheck', roomId: null, providerId: 'p-7' });
    expect((await patch(id, { name: 'Other change' })).body.writeDefaults).toEqual({ appointmentTypeId: 't-recheck', roomId: null, providerId: 'p-7' });
    expect((await patch(id, { writeDefaults: { appointmentTypeId: null, providerId: null } })).body.writeDefaults).toEqual({
      appointmentTypeId: null,
      roomId: null,
      providerId: null,
    });
    expect(await cols()).toEqual([{ type: null, room: null, provider: null }]);

    // Refused: unknown fields, empty, blank, too long, control characters, not a string.
    for (const bad of [{ rooms: 'x' }, {}, { roomId: '  ' }, { roomId: 'x'.repeat(201) }, { providerId: 'p\u0000' }, { appointmentTypeId: 7 }]) {
      expectError(await patch(id, { writeDefaults: bad }), 400, 'validation_error');
    }
    expect(await cols()).toEqual([{ type: null, room: null, provider: null }]);
  });

  it('a changed cron, time zone or syncEnabled re-plans the next nightly run (nextSyncAt null); other changes keep it', async () => {
    const id = await newClinic();
    const plan = () => q(`update public.clinic_schedule_config set next_sync_at = '2030-01-02T07:00:00Z' where clinic_id = $1`, [id]);
    await plan();
    expect((await patch(id, { name: 'Still planned', backwardDays: 5 })).body.nextSyncAt).toBe('2030-01-02T07:00:00.000Z');
    expect((await patch(id, { syncCron: '0 4 * * *' })).body.nextSyncAt).toBeNull();
    await plan();
    expect((await patch(id, { syncEnabled: false })).body.nextSyncAt).toBeNull();
    await plan();
    const moved = await patch(id, { timezone: 'Europe/Berlin' });
    expect(moved.body).toMatchObject({ timezone: 'Europe/Berlin', nextSyncAt: null });
    // The clinic and its schedule config carry the zone together.
    expect(await q(`select c.timezone as clinic, s.timezone as config from public.clinics c join public.clinic_schedule_config s on s.clinic_id = c.id where c.id = $1`, [id])).toEqual([
      { clinic: 'Europe/Berlin', config: 'Europe/Berlin' },
    ]);
  });

  it('takes new PIMS credentials, encrypted again; a new address or user needs the password again', async () => {
    const id = await newClinic();
    const res = keep(await patch(id, { pims: { password: 'New-Pass-2027!' } }));
    expect(res.status).toBe(200);
    expect(res.body.pims).toEqual({ baseUrl: 'http://127.0.0.1:3200', companyId: '8890', username: 'frontdesk' });
    expect(await h.clinics.getCredentials(id)).toMatchObject({ username: 'frontdesk', password: 'New-Pass-2027!' });
    const [row] = await q<{ t: string }>(`select to_jsonb(c)::text as t from public.clinics c where id = $1`, [id]);
    expect(row.t).not.toContain('New-Pass-2027!');

    const refused = keep(await patch(id, { pims: { baseUrl: 'https://elsewhere.example' } }));
    expect(expectError(refused, 400, 'validation_error').issues).toEqual([expect.objectContaining({ path: ['pims', 'password'] })]);
    expectError(await patch(id, { pims: { username: 'someone-else' } }), 400, 'validation_error');
    expectError(await patch(id, { pims: { provider: 'ezyvet', password: 'x-y-z-1' } }), 400, 'validation_error');
    expect((await h.clinics.getCredentials(id))?.baseUrl).toBe('http://127.0.0.1:3200');

    const moved = keep(await patch(id, { pims: { baseUrl: 'https://neo.example/', username: 'desk2', password: 'New-Pass-2027!', companyId: null } }));
    expect(moved.status).toBe(200);
    expect(moved.body.pims).toEqual({ baseUrl: 'https://neo.example', username: 'desk2' });
  });

  it('refuses unknown fields, a cron that runs more than hourly, days out of range, hours that do not fit, an empty body (400)', async () => {
    const id = await newClinic({ schedule: { openTime: '09:00', closeTime: '17:00', daysOfWeek: [1, 2, 3, 4, 5], slotDurationMinutes: 30, capacity: 2 } });
    expectError(await patch(id, { nickname: 'x' }), 400, 'validation_error');
    expectError(await patch(id, { schedule: { capacity: 2, rooms: 3 } }), 400, 'validation_error');
    expectError(await patch(id, {}), 400, 'validation_error');
    expectError(await patch(id, { syncCron: '* 2 * * *' }), 400, 'validation_error');
    expectError(await patch(id, { syncCron: '0 2 * *' }), 400, 'validation_error');
    expectError(await patch(id, { syncCron: '0 2 31 2 *' }), 400, 'validation_error'); // never runs
    expectError(await patch(id, { backwardDays: 91 }), 400, 'validation_error');
    expectError(await patch(id, { forwardDays: 0 }), 400, 'validation_error');
    expectError(await patch(id, { reconciliationDays: 31 }), 400, 'validation_error');
    expectError(await patch(id, { timezone: 'Mars/Olympus' }), 400, 'validation_error');
    expectError(await patch(id, { schedule: { openTime: '12:00', closeTime: '10:00' } }), 400, 'validation_error');
    // Against the stored hours: closing at 08:00 would be before the stored opening at 09:00.
    const err = expectError(await patch(id, { schedule: { closeTime: '08:00' } }), 400, 'validation_error');
    expect(err.issues).toEqual([expect.objectContaining({ path: ['schedule', 'closeTime'] })]);
    expectError(await h.request('PATCH', `/api/clinics/${id}`, '{"name":'), 400, 'invalid_json');
    // Nothing changed.
    expect((await settings(id)).schedule).toMatchObject({ openTime: '09:00', closeTime: '17:00' });
    expect((await settings(id)).syncCron).toBe('0 2 * * *');
  });

  it('voiceAssistantId is unique: 409 voice_assistant_in_use on POST and PATCH', async () => {
    const a = await newClinic({ voiceAssistantId: 'asst-unique-1' });
    const b = await newClinic();
    expectError(await h.request('POST', '/api/clinics', clinicInput({ voiceAssistantId: 'asst-unique-1' })), 409, 'voice_assistant_in_use');
    expectError(await patch(b, { voiceAssistantId: 'asst-unique-1' }), 409, 'voice_assistant_in_use');
    expect((await settings(b)).voiceAssistantId).toBeNull();
    // The owner may set it again to itself.
    expect((await patch(a, { voiceAssistantId: 'asst-unique-1', name: 'Same' })).status).toBe(200);
  });

  it('404 for an unknown clinic, 400 for a malformed id, 401 without the key', async () => {
    expectError(await patch(randomUUID(), { name: 'x' }), 404, 'clinic_not_found');
    expectError(await patch('nope', { name: 'x' }), 400, 'validation_error');
    expectError(await h.request('PATCH', `/api/clinics/${randomUUID()}`, { name: 'x' }, {}), 401, 'unauthorized');
  });
});

describe('POST /api/clinics/:id/test-connection', () => {
  it('logs in to IDEXX Neo for real: a wrong password answers ok:false without it, the right one ok:true', async () => {
    const id = await newClinic({
      timezone: 'America/Chicago',
      pims: { provider: 'idexx_neo', baseUrl: sim.url, companyId: '7301', username: 'user-7301', password: 'Wrong-Pass-1!' },
    });
    const wrong = keep(await h.request('POST', `/api/clinics/${id}/test-connection`));
    expect(wrong.status).toBe(200);
    const w = TestConnectionOutput.parse(wrong.body);
    expect(w.ok).toBe(false);
    if (w.ok) return;
    expect(w.error.code).toBe('pims_auth_failed');
    expect(w.error.message).not.toContain('Wrong-Pass-1!');

    expect((await patch(id, { pims: { password: PASSWORD } })).status).toBe(200);
    const right = keep(await h.request('POST', `/api/clinics/${id}/test-connection`));
    expect(right).toEqual({ status: 200, body: { ok: true } });
  });

  it('an unreachable PIMS is ok:false (not an error answer); 404 unknown clinic, 400 malformed id, 401 without the key', async () => {
    const id = await newClinic({ pims: { provider: 'idexx_neo', baseUrl: 'http://127.0.0.1:9', username: 'u', password: SECRET } });
    const res = keep(await h.request('POST', `/api/clinics/${id}/test-connection`));
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.error.code).toMatch(/^pims_/);
    expectError(await h.request('POST', `/api/clinics/${randomUUID()}/test-connection`), 404, 'clinic_not_found');
    expectError(await h.request('POST', '/api/clinics/nope/test-connection'), 400, 'validation_error');
    expectError(await h.request('POST', `/api/clinics/${id}/test-connection`, undefined, {}), 401, 'unauthorized');
  });
});
