import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackAddress } from './control';
import { startSimulator, type Simulator } from './server';
import { NeoHttpClient, postJson } from './testing/http-client';
import { CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    now: FIXED_NOW,
    scenario: {
      clinics: [
        smallClinic(),
        smallClinic({ companyId: '9001', username: 'desk2', appointments: [], consultations: [] }),
      ],
    },
  });
});
afterAll(() => sim.close());

/** The write-side counters, none of which this test's requests touch. */
const NO_WRITES = {
  createAppointment: 0,
  deleteAppointment: 0,
  searchPatients: 0,
  createClient: 0,
  createPatient: 0,
};

const range = '/appointments/getCalendarEventData?start=2026-11-20 00:00:00&end=2026-11-21 00:00:00';

describe('stats', () => {
  it('counts requests by endpoint, logins, errors and rate limits, in total and by company', async () => {
    await postJson(sim.url, '/__sim/reset-stats', {});
    const a = new NeoHttpClient(sim.url);
    const b = new NeoHttpClient(sim.url);
    await a.login(CREDS);
    await a.login({ ...CREDS, password: 'wrong-password-1A!' });
    await b.login({ companyId: '9001', username: 'desk2', password: CREDS.password });
    await a.getJson(range);
    await a.getJson(range);
    await a.getJson('/appointments/getAppointmentView');
    await a.getJson('/appointments/getAppointment?id=A-1001');
    await a.getJson('/consultations/K-501/page-data');
    await b.getJson('/consultations/nope/page-data');
    await new NeoHttpClient(sim.url).getJson('/appointments/getAppointmentView'); // no session: counted, no company
    await postJson(sim.url, '/__sim/faults', { failPaths: ['getAppointmentView'] });
    await a.getJson('/appointments/getAppointmentView');
    await postJson(sim.url, '/__sim/faults', { rateLimitEvery: 1 });
    await b.getJson(range);
    await postJson(sim.url, '/__sim/faults', {});

    const res = await fetch(`${sim.url}/__sim/stats`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      requests: {
        login: 3,
        getCalendarEventData: 3,
        getAppointmentView: 3,
        getAppointment: 1,
        consultationPageData: 2,
        ...NO_WRITES,
      },
      logins: 2,
      errors: 1,
      rateLimited: 1,
      byCompany: {
        '8890': {
          requests: {
            login: 2,
            getCalendarEventData: 2,
            getAppointmentView: 2,
            getAppointment: 1,
            consultationPageData: 1,
            ...NO_WRITES,
          },
          logins: 1,
          errors: 1,
          rateLimited: 0,
        },
        '9001': {
          requests: {
            login: 1,
            getCalendarEventData: 1,
            getAppointmentView: 0,
            getAppointment: 0,
            consultationPageData: 1,
            ...NO_WRITES,
          },
          logins: 1,
          errors: 0,
          rateLimited: 1,
        },
      },
    });
    expect((await postJson(sim.url, '/__sim/reset-stats', {})).status).toBe(200);
    expect(sim.stats()).toEqual({
      requests: {
        login: 0,
        getCalendarEventData: 0,
        getAppointmentView: 0,
        getAppointment: 0,
        consultationPageData: 0,
        ...NO_WRITES,
      },
      logins: 0,
      errors: 0,
      rateLimited: 0,
      byCompany: {},
    });
  });
});

describe('scenario control', () => {
  it('replaces the clinics it names and keeps the others', async () => {
    const res = await postJson(sim.url, '/__sim/scenario', {
      clinics: [
        smallClinic({
          companyId: '9001',
          username: 'desk2',
          appointments: [{ id: 'N-1', start: '2026-11-20T15:00' }],
          consultations: [],
        }),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      ok: true,
      clinics: [{ companyId: '9001', name: 'Test Clinic', appointments: 1, consultations: 0 }],
    });
    const list = (await (await fetch(`${sim.url}/__sim/clinics`)).json()) as {
      clinics: { companyId: string; appointments: number }[];
    };
    expect(list.clinics.map((c) => [c.companyId, c.appointments])).toEqual([
      ['8890', 6],
      ['9001', 1],
    ]);
  });

  it('an appointment left out of a later scenario is gone', async () => {
    await postJson(sim.url, '/__sim/scenario', {
      clinics: [smallClinic({ companyId: '9001', username: 'desk2', appointments: [], consultations: [] })],
    });
    const c = new NeoHttpClient(sim.url);
    await c.login({ companyId: '9001', username: 'desk2', password: CREDS.password });
    expect(((await (await c.getJson(range)).json()) as { events: unknown[] }).events).toEqual([]);
    expect((await c.getJson('/appointments/getAppointment?id=N-1')).status).toBe(404);
  });

  it.each([
    ['not JSON', 'not json', /Body must be JSON/],
    ['no clinics', {}, /clinics/],
    ['a bad time zone', { clinics: [smallClinic({ timezone: 'Mars/Olympus' })] }, /timezone/],
    [
      'an appointment without start',
      { clinics: [smallClinic({ appointments: [{ id: 'Q' }] })] },
      /appointments\.0: start/,
    ],
    [
      'start and day together',
      {
        clinics: [
          smallClinic({ appointments: [{ id: 'Q', start: '2026-11-20T09:00', day: 1, time: '09:00' }] }),
        ],
      },
      /either start or day\+time/,
    ],
    [
      'an unknown room',
      { clinics: [smallClinic({ appointments: [{ id: 'Q', start: '2026-11-20T09:00', roomId: 'zz' }] })] },
      /unknown room/,
    ],
    [
      'an unknown status',
      {
        clinics: [
          smallClinic({
            appointments: [{ id: 'Q', start: '2026-11-20T09:00', status: 'done' as 'finalized' }],
          }),
        ],
      },
      /status/,
    ],
    ['an unknown field', { clinics: [smallClinic({ colour: 'red' } as object)] }, /colour/],
    [
      'duplicate appointment ids',
      {
        clinics: [
          smallClinic({
            appointments: [
              { id: 'Q', day: 0, time: '09:00' },
              { id: 'Q', day: 1, time: '09:00' },
            ],
          }),
        ],
      },
      /duplicate appointment id/,
    ],
    [
      'an offset on start',
      { clinics: [smallClinic({ appointments: [{ id: 'Q', start: '2026-11-20T09:00:00Z' }] })] },
      /without an offset/,
    ],
    ['duplicate companyIds', { clinics: [smallClinic(), smallClinic()] }, /duplicate companyId/],
  ])('rejects %s with 400 and the reason', async (_label, body, reason) => {
    const res = await fetch(`${sim.url}/__sim/scenario`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: string };
    expect(json.error).toMatch(reason);
    // Nothing changed.
    expect(sim.state.clinics.get('8890')!.appointments.size).toBe(6);
  });

  it('POST /__sim/consultations/:id changes the consultation and bumps last_updated_at', async () => {
    const c = new NeoHttpClient(sim.url);
    await c.login(CREDS);
    const before = (
      (await (await c.getJson(range)).json()) as { events: Record<string, unknown>[] }
    ).events.find((e) => e.id === 'A-1001')!;
    expect(before.last_updated_at).toBe('2026-11-20 10:02:00');
    // The clock (10:00 local) is before the stored change: the bump still moves forward.
    const res = await postJson(sim.url, '/__sim/consultations/K-501', {
      notes: 'S: better. O: calm. A: resolved. P: none.',
      diagnoses: ['Resolved otitis'],
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      ok: true,
      companyId: '8890',
      appointmentId: 'A-1001',
      lastUpdatedAt: '2026-11-20 10:02:01',
    });
    const after = (
      (await (await c.getJson(range)).json()) as { events: Record<string, unknown>[] }
    ).events.find((e) => e.id === 'A-1001')!;
    expect(after.last_updated_at).toBe('2026-11-20 10:02:01');
    const page = (await (await c.getJson('/consultations/K-501/page-data')).json()) as {
      consultation: { notes: string };
      diagnoses: unknown;
    };
    expect(page.consultation.notes).toContain('resolved');
    expect(page.diagnoses).toEqual([{ id: 'K-501-D1', name: 'Resolved otitis' }]);
    // With the clock later, the change is stamped with "now" in clinic time.
    await postJson(sim.url, '/__sim/clock', { now: '2026-11-21T17:30:00Z' });
    const later = await postJson(sim.url, '/__sim/consultations/K-501', { dischargeSummary: 'All good.' });
    expect(later.json.lastUpdatedAt).toBe('2026-11-21 12:30:00');
    await postJson(sim.url, '/__sim/clock', { now: FIXED_NOW });
    expect((await postJson(sim.url, '/__sim/consultations/K-999', { notes: 'x' })).status).toBe(400);
    expect((await postJson(sim.url, '/__sim/consultations/K-501', { bogus: 1 })).status).toBe(400);
  });

  it('POST /__sim/appointments/:id changes an appointment; DELETE removes it', async () => {
    const c = new NeoHttpClient(sim.url);
    await c.login(CREDS);
    const res = await postJson(sim.url, '/__sim/appointments/A-1002', {
      status: 'cancelled',
      cancelledReason: 'Owner away',
    });
    expect(res.status).toBe(200);
    const detail = (await (await c.getJson('/appointments/getAppointment?id=A-1002')).json()) as {
      appointment: Record<string, unknown>;
    };
    expect(detail.appointment).toMatchObject({
      status: 'cancelled',
      cancelledReason: 'Owner away',
      lastUpdatedAt: '2026-11-20 10:00:00',
    });
    await postJson(sim.url, '/__sim/appointments/A-1002', { day: 1, time: '13:00', status: 'confirmed' });
    const moved = (await (await c.getJson('/appointments/getAppointment?id=A-1002')).json()) as {
      appointment: Record<string, unknown>;
    };
    expect(moved.appointment).toMatchObject({
      startAtLocal: '2026-11-21 13:00:00',
      status: 'confirmed',
      lastUpdatedAt: '2026-11-20 10:00:01',
    });
    expect(
      (await fetch(`${sim.url}/__sim/appointments/A-1002?companyId=8890`, { method: 'DELETE' })).status,
    ).toBe(200);
    expect((await c.getJson('/appointments/getAppointment?id=A-1002')).status).toBe(404);
    expect((await fetch(`${sim.url}/__sim/appointments/A-1002`, { method: 'DELETE' })).status).toBe(400);
    // Put it back for the other tests.
    await postJson(sim.url, '/__sim/appointments', { companyId: '8890', ...smallClinic().appointments![1] });
    expect(sim.state.clinics.get('8890')!.appointments.size).toBe(6);
  });

  it('POST /__sim/clock fixes or releases the clock; bad values are 400', async () => {
    expect((await postJson(sim.url, '/__sim/clock', { now: 'tomorrow' })).status).toBe(400);
    expect((await postJson(sim.url, '/__sim/clock', { now: '2026-11-20T09:00' })).status).toBe(400);
    const real = await postJson(sim.url, '/__sim/clock', { now: null });
    expect(real.json.fixed).toBe(false);
    expect(Math.abs(Date.parse(String(real.json.now)) - Date.now())).toBeLessThan(5000);
    sim.setNow(FIXED_NOW);
    expect(await (await fetch(`${sim.url}/__sim/clock`)).json()).toEqual({
      now: '2026-11-20T15:00:00.000Z',
      fixed: true,
    });
  });

  it('unknown control routes are 404 JSON', async () => {
    const res = await fetch(`${sim.url}/__sim/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('Unknown control route') });
  });
});

describe('loopback only', () => {
  it('recognises loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['192.0.2.2', '10.0.0.1', '::ffff:10.0.0.1', 'fd00::2', '', undefined, '128.0.0.1'])
      expect(isLoopbackAddress(a)).toBe(false);
  });

  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it.skipIf(!external)(
    'answers 403 to a caller on a non-loopback address, while Neo routes still work',
    async () => {
      const open = await startSimulator({
        host: '0.0.0.0',
        now: FIXED_NOW,
        scenario: { clinics: [smallClinic()] },
      });
      try {
        const remote = `http://${external}:${open.port}`;
        for (const [method, path] of [
          ['GET', '/__sim/stats'],
          ['POST', '/__sim/faults'],
          ['POST', '/__sim/scenario'],
          ['POST', '/__sim/reset-stats'],
        ]) {
          const res = await fetch(`${remote}${path}`, {
            method,
            headers: { 'content-type': 'application/json' },
            body: method === 'POST' ? '{}' : undefined,
          });
          expect(res.status).toBe(403);
        }
        expect((await fetch(`${remote}/login/`)).status).toBe(200);
        expect((await fetch(`${open.url}/__sim/stats`)).status).toBe(200);
      } finally {
        await open.close();
      }
    },
  );
});
