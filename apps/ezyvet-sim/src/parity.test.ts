import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '@pims/idexx-neo-sim';
import { formatLocalDateTime } from '@pims/util';
import { generateClinic, type ScenarioInput, type SimAppointment, type Simulator } from '@pims/sim-scenario';
import { EZYVET_STATUSES } from './index';
import { startEzyvetSimulator } from './server';
import { EzyClient } from './testing/http-client';
import { FIXED_NOW, smallClinic } from './testing/fixtures';

/** The same scenario in both simulators gives the same appointments read-out (CONTRACT section 10). */

const generated = generateClinic({
  seed: 'parity',
  companyId: 'gen-1',
  name: 'Parity Vets',
  timezone: 'Pacific/Kiritimati', // UTC+14
  username: 'api',
  password: 'Parity-Secret',
  daysBack: 10,
  daysForward: 10,
  visitsPerDay: 12,
  now: FIXED_NOW,
});
const scenario: ScenarioInput = { clinics: [smallClinic(), generated] };

const SIMS = [
  ['IDEXX Neo', (s: ScenarioInput) => startSimulator({ scenario: s, now: FIXED_NOW })],
  [
    'ezyVet',
    (s: ScenarioInput) => startEzyvetSimulator({ scenario: s, now: FIXED_NOW, rateLimitPerMinute: 0 }),
  ],
] as const;

let neo: Simulator;
let ezy: Simulator;

beforeAll(async () => {
  neo = await SIMS[0][1](scenario);
  ezy = await SIMS[1][1](scenario);
});
afterAll(async () => {
  await Promise.all([neo.close(), ezy.close()]);
});

const readOut = async (sim: Simulator, companyId: string): Promise<Omit<SimAppointment, 'origin'>[]> => {
  const res = await fetch(`${sim.url}/__sim/clinics/${companyId}/appointments`);
  const body = (await res.json()) as { appointments: SimAppointment[] };
  return body.appointments.map(({ origin: _origin, ...rest }) => rest);
};

describe('one scenario, two PIMS simulators', () => {
  it('the read-out (GET /__sim/clinics/:id/appointments) is the same, hand-written and generated clinics alike', async () => {
    for (const id of ['8890', 'gen-1']) {
      const a = await readOut(neo, id);
      expect(a.length).toBeGreaterThan(5);
      expect(await readOut(ezy, id)).toEqual(a);
    }
    expect((await readOut(ezy, 'gen-1')).length).toBe(generated.appointments.length);
  });

  it("ezyVet's API says what the read-out says: start_at in the clinic's zone (UTC+14), duration, status, type, room and provider", async () => {
    const client = new EzyClient(ezy.url, {
      partner_id: 'p',
      client_id: 'gen-1',
      client_secret: 'Parity-Secret',
    });
    const api = await client.all('/v2/appointment', { active: 1 });
    const types = new Map((await client.all('/v2/appointmenttype')).map((t) => [t.id, t.name]));
    const statuses = new Map(EZYVET_STATUSES.map((s) => [s.id, s.word]));
    const rooms = new Set(generated.rooms!.map((r) => String(r.id)));
    const fromApi = api
      .map((a) => {
        const res = (a.resources as { id: string }[]).map((r) => r.id);
        return {
          id: a.id,
          start: formatLocalDateTime(new Date(Number(a.start_at) * 1000), 'Pacific/Kiritimati')
            .slice(0, 16)
            .replace(' ', 'T'),
          durationMinutes: Number(a.duration) / 60,
          status: statuses.get(String(a.status_id)),
          roomId: res.find((r) => rooms.has(r)) ?? null,
          providerId: res.find((r) => !rooms.has(r)) ?? null,
          type: a.animal_id === null ? null : (types.get(String(a.type_id)) ?? null),
        };
      })
      .sort((x, y) => String(x.id).localeCompare(String(y.id)));
    const readout = (await readOut(neo, 'gen-1'))
      .map((a) => ({
        id: a.id,
        start: a.start,
        durationMinutes: a.durationMinutes,
        status: a.status,
        roomId: a.roomId,
        providerId: a.providerId,
        type: a.isBlock || a.isRoster ? null : a.type,
      }))
      .sort((x, y) => x.id.localeCompare(y.id));
    expect(fromApi).toEqual(readout);
  });

  it('stays the same after the same changes through the Simulator interface (moved, cancelled, removed, new scenario)', async () => {
    const [moved, cancelled, removed] = generated.appointments
      .filter((a) => !a.isBlock && !a.isRoster)
      .map((a) => String(a.id));
    for (const sim of [neo, ezy]) {
      sim.updateAppointment(moved, { companyId: 'gen-1', day: 3, time: '15:30' });
      sim.updateAppointment(cancelled, {
        companyId: 'gen-1',
        status: 'cancelled',
        cancelledReason: 'Owner away',
      });
      sim.removeAppointment(removed, 'gen-1');
      sim.setScenario({ clinics: [smallClinic({ appointments: smallClinic().appointments!.slice(0, 3) })] });
    }
    for (const id of ['8890', 'gen-1']) expect(await readOut(ezy, id)).toEqual(await readOut(neo, id));
    const out = await readOut(ezy, 'gen-1');
    expect(out.find((a) => a.id === moved)!.start.endsWith('T15:30')).toBe(true);
    expect(out.find((a) => a.id === cancelled)).toMatchObject({
      status: 'cancelled',
      cancelledReason: 'Owner away',
    });
    expect(out.find((a) => a.id === removed)).toBeUndefined();
    expect(await readOut(ezy, '8890')).toHaveLength(3);
  });
});

describe.each(SIMS)('the shared Simulator interface: %s', (_name, start) => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await start({ clinics: [smallClinic()] });
  });
  afterAll(() => sim.close());

  it('scenario, clock, faults, stats and sessions behave alike', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.now().toISOString()).toBe('2026-11-20T15:00:00.000Z');
    sim.setNow('2026-11-21T15:00:00Z');
    expect(sim.now().toISOString()).toBe('2026-11-21T15:00:00.000Z');
    sim.setNow(FIXED_NOW);
    expect(sim.appointments('8890').map((a) => a.id)).toEqual([
      'A-1000',
      'R-1',
      'A-1001',
      'A-1002',
      'B-1',
      'A-1003',
    ]);
    sim.updateConsultation('K-501', { dischargeSummary: 'Changed' });
    expect(() => sim.updateAppointment('A-404', { status: 'confirmed' })).toThrow(/Unknown appointment/);
    expect(() => sim.setFaults({ errorRate: 5 })).toThrow(/errorRate/);
    sim.setFaults({ latencyMs: 0 });
    const stats = sim.stats();
    expect(stats).toMatchObject({ logins: 0, errors: 0, rateLimited: 0, byCompany: {} });
    expect(Object.values(stats.requests).every((n) => n === 0)).toBe(true);
    expect(sim.expireSessions()).toBe(0);
    sim.resetStats();
    expect(() => sim.appointments('none')).toThrow(/Unknown clinic/);
  });
});
