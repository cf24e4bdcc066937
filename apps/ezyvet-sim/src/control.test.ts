import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock } from '@pims/sim-scenario';
import { createEzyvetApp } from './app';
import { ENDPOINTS } from './endpoints';
import { startEzyvetSimulator, type EzyvetSimulator } from './server';
import { EzyState } from './state';
import { EzyClient, getJson, postJson } from './testing/http-client';
import { EZY_CREDS, FIXED_NOW, smallClinic } from './testing/fixtures';

let sim: EzyvetSimulator;

beforeAll(async () => {
  sim = await startEzyvetSimulator({
    scenario: { clinics: [smallClinic()] },
    now: FIXED_NOW,
    rateLimitPerMinute: 0,
  });
});
afterAll(() => sim.close());

describe('control API (CONTRACT section 5) on the ezyVet simulator', () => {
  it('POST /__sim/scenario replaces the clinics it names, keeps the others, refuses an invalid one with the reason', async () => {
    const r = await postJson(sim.url, '/__sim/scenario', {
      clinics: [smallClinic({ companyId: 'second', password: 'Second-Secret', name: 'Second' })],
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ok: true,
      clinics: [{ companyId: 'second', name: 'Second', appointments: 6, consultations: 1 }],
    });
    const list = await getJson(sim.url, '/__sim/clinics');
    expect((list.body.clinics as { companyId: string }[]).map((c) => c.companyId)).toEqual([
      '8890',
      'second',
    ]);
    expect(list.body.clinics).toContainEqual(
      expect.objectContaining({
        companyId: 'second',
        clientId: 'second',
        timezone: 'America/New_York',
        today: '2026-11-20',
      }),
    );
    const bad = await postJson(sim.url, '/__sim/scenario', {
      clinics: [{ companyId: 'x', username: 'u', password: 'p', timezone: 'Mars/Base' }],
    });
    expect(bad.status).toBe(400);
    expect(String(bad.body.error)).toContain('timezone');
    expect((await fetch(`${sim.url}/__sim/clinics/second`, { method: 'DELETE' })).status).toBe(200);
    expect(() => sim.setScenario({ clinics: [{ companyId: 'x' }] } as never)).toThrow(/Invalid scenario/);
  });

  it('GET /__sim/clinics/:companyId/appointments: the read-out in the shared shape; 400 for an unknown clinic', async () => {
    const r = await getJson(sim.url, '/__sim/clinics/8890/appointments');
    expect(r.status).toBe(200);
    const list = r.body.appointments as Record<string, unknown>[];
    expect(list.map((a) => a.id)).toEqual(['A-1000', 'R-1', 'A-1001', 'A-1002', 'B-1', 'A-1003']);
    expect(list[2]).toEqual({
      id: 'A-1001',
      start: '2026-11-20T09:00',
      durationMinutes: 30,
      status: 'finalized',
      type: 'Wellness Exam',
      reason: 'Annual vaccines',
      roomId: 'r1',
      providerId: 'p1',
      patient: { id: 'P-1', name: 'Biscuit' },
      client: {
        id: 'C-1',
        firstName: 'Ana',
        lastName: 'Lopez',
        phone: '+15551230000',
        email: 'ana@example.com',
      },
      origin: 'scenario',
      isBlock: false,
      isRoster: false,
      bookedBy: 'Front Desk',
      bookedAt: '2026-11-13T10:00',
      notes: null,
      cancelledReason: null,
    });
    expect((await getJson(sim.url, '/__sim/clinics/none/appointments')).status).toBe(400);
  });

  it('GET /__sim/stats: requests keyed by ezyVet endpoint, logins, errors, rateLimited, byCompany; reset-stats zeroes them', async () => {
    await postJson(sim.url, '/__sim/reset-stats', {});
    const client = new EzyClient(sim.url, EZY_CREDS);
    await client.get('/v2/appointment');
    await client.get('/v1/consult');
    await client.get('/v1/consult/K-501');
    const s = (await getJson(sim.url, '/__sim/stats')).body as {
      requests: Record<string, number>;
      byCompany: Record<string, unknown>;
    };
    expect(Object.keys(s.requests)).toEqual([...ENDPOINTS]);
    expect(s).toMatchObject({
      logins: 1,
      errors: 0,
      rateLimited: 0,
      requests: { oauth: 1, appointment: 1, consult: 2 },
    });
    expect(s.byCompany['8890']).toMatchObject({ logins: 1, requests: { consult: 2 } });
    await postJson(sim.url, '/__sim/reset-stats', {});
    expect((await getJson(sim.url, '/__sim/stats')).body).toMatchObject({
      logins: 0,
      requests: { consult: 0 },
      byCompany: {},
    });
  });

  it('the clock, sessions/expire (tokens), consultation and appointment changes, and 404 for an unknown route', async () => {
    expect((await postJson(sim.url, '/__sim/clock', { now: '2026-11-21T15:00:00Z' })).body).toMatchObject({
      now: '2026-11-21T15:00:00.000Z',
      fixed: true,
    });
    expect((await postJson(sim.url, '/__sim/clock', { now: 'tomorrow' })).status).toBe(400);
    await postJson(sim.url, '/__sim/clock', { now: FIXED_NOW });
    const client = new EzyClient(sim.url, EZY_CREDS);
    await client.bearer();
    expect((await postJson(sim.url, '/__sim/sessions/expire', { companyId: '8890' })).body).toMatchObject({
      ok: true,
      expired: expect.any(Number),
    });
    expect((await client.get('/v2/appointment')).status).toBe(401);
    const k = await postJson(sim.url, '/__sim/consultations/K-501', { dischargeSummary: 'New summary' });
    expect(k.status).toBe(200);
    const bad = await postJson(sim.url, '/__sim/appointments/A-1001', { roomId: 'r9' });
    expect(bad.status).toBe(400);
    expect((await getJson(sim.url, '/__sim/nothing')).status).toBe(404);
  });

  it('answers 403 to a caller that is not on loopback, while the ezyVet API still answers it', async () => {
    const state = new EzyState(new SimClock(FIXED_NOW));
    state.applyScenario({ clinics: [] });
    const app = createEzyvetApp(state);
    const remote = { incoming: { socket: { remoteAddress: '192.168.7.20' } } };
    const ctl = await app.request('/__sim/stats', {}, remote);
    expect(ctl.status).toBe(403);
    const api = await app.request('/v2/appointment', {}, remote);
    expect(api.status).toBe(401);
    const local = await app.request(
      '/__sim/stats',
      {},
      { incoming: { socket: { remoteAddress: '::ffff:127.0.0.1' } } },
    );
    expect(local.status).toBe(200);
  });
});
