// The ezyVet provider against the real ezyVet simulator (in-process, its own port): reads, paging,
// the incremental re-sync, consultations, the calendar set-up, time zones at UTC+14 and UTC-11, and
// wrong credentials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEzyvetSimulator, type EzyvetSimulator } from '@pims/ezyvet-sim';
import type { GeneratedClinic } from '@pims/sim-scenario';
import { isPimsError, type AppointmentStatus, type PimsAppointment } from '@pims/pims';
import { createEzyvetProvider, type EzyvetProvider, type EzyvetProviderOptions } from './index';
import { NOW, clinic, credentialsOf, dayFromNow, recordingLogger, type TestClinic } from './testing/fixtures';

const NY: TestClinic = { companyId: 'ez-ny', password: 'Ny-Secret-2026!', timezone: 'America/New_York' };
const KIRI: TestClinic = { companyId: 'ez-kiri', password: 'Kiri-Secret-2026!', timezone: 'Pacific/Kiritimati' };
const PAGO: TestClinic = { companyId: 'ez-pago', password: 'Pago-Secret-2026!', timezone: 'Pacific/Pago_Pago' };

/** How the Neo words of a scenario normalize (CONTRACT section 5): ezyVet must give the same. */
const NORMALIZED: Record<string, AppointmentStatus> = {
  not_arrived: 'scheduled',
  confirmed: 'confirmed',
  arrived: 'checked_in',
  in_progress: 'in_progress',
  ready_to_pay: 'completed',
  finalized: 'completed',
  no_show: 'no_show',
  cancelled: 'cancelled',
};

// The simulator's rate limit is off here (resilience.int.test.ts covers 429s); the client keeps to generous buckets.
const FAST: EzyvetProviderOptions = { rateLimit: { perEndpointPerMinute: 100_000, perClinicPerMinute: 100_000 }, retry: { baseDelayMs: 20, maxDelayMs: 100 } };

let sim: EzyvetSimulator;
let ny: GeneratedClinic;
const { logger, lines } = recordingLogger();
const providers: EzyvetProvider[] = [];

function provider(opts: EzyvetProviderOptions = {}): EzyvetProvider {
  const p = createEzyvetProvider({ ...FAST, logger, ...opts });
  providers.push(p);
  return p;
}

function local(a: { start?: string }): string {
  return (a.start ?? '').replace('T', ' ');
}

beforeAll(async () => {
  ny = clinic(NY, { visitsPerDay: 20 });
  const kiri = clinic(KIRI, { visitsPerDay: 4, daysBack: 3, daysForward: 3 });
  const pago = clinic(PAGO, { visitsPerDay: 4, daysBack: 3, daysForward: 3 });
  // A visit just after local midnight on each side of the date line.
  const day = (tc: TestClinic) => dayFromNow(tc.timezone, 1);
  const edge = (tc: TestClinic, c: GeneratedClinic, id: string) => {
    const v = c.appointments.find((a) => !a.isBlock && !a.isRoster && a.patient)!;
    c.appointments.push({ ...v, id, start: `${day(tc)}T00:15`, durationMinutes: 30, status: 'confirmed', consultationId: null });
  };
  edge(KIRI, kiri, 'EDGE-KIRI');
  edge(PAGO, pago, 'EDGE-PAGO');
  sim = await startEzyvetSimulator({ scenario: { clinics: [ny, kiri, pago] }, now: NOW, rateLimitPerMinute: 0, rateLimitPerClinicPerMinute: 0 });
});

afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await sim?.close();
});

describe('reading appointments', () => {
  it('gives every visit of a window with its ezyVet data, statuses as Neo normalizes them, blocks and rosters left out', async () => {
    const from = dayFromNow(NY.timezone, -7);
    const to = dayFromNow(NY.timezone, 7);
    const session = await provider().authenticate(credentialsOf(NY, sim.url), { timezone: NY.timezone });
    const r = await session.getAppointments(from, to);
    const inWindow = ny.appointments.filter((a) => local(a).slice(0, 10) >= from && local(a).slice(0, 10) <= to);
    const visits = inWindow.filter((a) => !a.isBlock && !a.isRoster);
    expect(r.appointments.map((a) => a.id).sort()).toEqual(visits.map((a) => a.id).sort());
    expect(r.excluded).toBe(inWindow.length - visits.length);
    expect(r.skipped).toBe(0);
    for (const v of visits) {
      const a = r.appointments.find((x) => x.id === v.id)!;
      expect(a.status).toBe(NORMALIZED[v.status ?? 'not_arrived']);
      expect(`${a.date} ${a.startTime.slice(0, 5)}`).toBe(local(v));
      expect(a.patient).toMatchObject({ id: v.patient!.id, name: v.patient!.name, species: v.patient!.species ?? null });
      expect(a.client).toMatchObject({ id: v.client!.id, firstName: v.client!.firstName, lastName: v.client!.lastName, phone: v.client!.phone ?? null, email: v.client!.email ?? null });
      expect(a.reason).toBe(v.reason ?? null);
      expect(a.type).toBe(v.type ?? null);
      expect(a.consultationId).toBe(v.consultationId ?? null);
      if (v.roomId) expect(a.room?.id).toBe(v.roomId);
      if (v.providerId) expect(a.provider?.id).toBe(v.providerId);
    }
    await session.close();
  });

  it('follows the paging envelope: ceil(n / pageSize) appointment requests for n records', async () => {
    const from = dayFromNow(NY.timezone, -20);
    const to = dayFromNow(NY.timezone, 20);
    const served = ny.appointments.filter((a) => local(a).slice(0, 10) >= from && local(a).slice(0, 10) <= to).length;
    const session = await provider({ pageSize: 25 }).authenticate(credentialsOf(NY, sim.url), { timezone: NY.timezone });
    sim.resetStats();
    const r = await session.getAppointments(from, to);
    expect(r.appointments.length + r.excluded).toBe(served);
    expect(served).toBeGreaterThan(300);
    expect(sim.stats().requests.appointment).toBe(Math.ceil(served / 25));
  });

  it('puts visits on their clinic-local day at UTC+14 and UTC-11', async () => {
    for (const [tc, id] of [
      [KIRI, 'EDGE-KIRI'],
      [PAGO, 'EDGE-PAGO'],
    ] as const) {
      const day = dayFromNow(tc.timezone, 1);
      const session = await provider().authenticate(credentialsOf(tc, sim.url), { timezone: tc.timezone });
      const r = await session.getAppointments(day, day);
      const a = r.appointments.find((x) => x.id === id)!;
      expect([a.date, a.startTime]).toEqual([day, '00:15:00']);
      expect((await session.getAppointments(dayFromNow(tc.timezone, 0), dayFromNow(tc.timezone, 0))).appointments.map((x) => x.id)).not.toContain(id);
    }
  });

  it('reads one appointment by id; null for an id ezyVet does not have and for a block', async () => {
    const session = await provider().authenticate(credentialsOf(NY, sim.url), { timezone: NY.timezone });
    const v = ny.appointments.find((a) => !a.isBlock && !a.isRoster)!;
    expect((await session.getAppointment(String(v.id)))?.id).toBe(String(v.id));
    expect(await session.getAppointment('NO-SUCH-ID')).toBeNull();
    const block = ny.appointments.find((a) => a.isBlock || a.isRoster)!;
    expect(await session.getAppointment(String(block.id))).toBeNull();
  });
});

describe('incremental re-sync', () => {
  it('after 5 % of appointments changed asks for at most 10 % of the first sync\'s appointment requests and gives what a full fetch gives', async () => {
    const zone = NY.timezone;
    const windows = [
      [dayFromNow(zone, -20), dayFromNow(zone, 0)],
      [dayFromNow(zone, 0), dayFromNow(zone, 20)],
    ] as const;
    // The provider's clock moves on an hour between the syncs, as the simulator's does.
    let offset = 0;
    const opts = { pageSize: 20, now: () => Date.now() + offset };
    const p = provider(opts);
    const creds = credentialsOf(NY, sim.url);
    const session = await p.authenticate(creds, { timezone: zone });
    sim.resetStats();
    for (const [a, b] of windows) await session.getAppointments(a, b);
    const first = sim.stats().requests.appointment;
    expect(first).toBeGreaterThanOrEqual(30);

    // An hour later, 5 % of the appointments change: statuses, moves within and out of the windows, removals, new visits.
    sim.setNow(new Date(Date.parse(NOW) + 3600_000));
    offset = 3600_000;
    const changed = structuredClone(ny);
    const visits = changed.appointments.filter((a) => !a.isBlock && !a.isRoster);
    const n = Math.round(changed.appointments.length * 0.05);
    const moved: string[] = [];
    const removed: (string | number)[] = [];
    for (let i = 0; i < n; i += 1) {
      const a = visits[(i * 37) % visits.length];
      if (i % 4 === 0) a.status = a.status === 'cancelled' ? 'confirmed' : 'cancelled';
      else if (i % 4 === 1) {
        a.start = `${dayFromNow(zone, 40)}T10:00`;
        moved.push(String(a.id));
      } else if (i % 4 === 2) a.start = `${dayFromNow(zone, 3)}T${String(8 + (i % 9)).padStart(2, '0')}:45`;
      else removed.push(a.id);
    }
    changed.appointments = changed.appointments.filter((a) => !removed.includes(a.id));
    // Booked now (the simulator dates a record it first sees by the scenario's bookedAt / updatedAt).
    const bookedNow = '2026-11-18 11:00:00';
    changed.appointments.push({ ...visits[1], id: 'NEW-1', start: `${dayFromNow(zone, 2)}T16:15`, consultationId: null, bookedAt: bookedNow, updatedAt: bookedNow });
    sim.setScenario({ clinics: [changed] });

    sim.resetStats();
    const again = await p.authenticate(creds, { timezone: zone });
    const results = [];
    for (const [a, b] of windows) results.push(await again.getAppointments(a, b));
    const second = sim.stats().requests.appointment;
    expect(second).toBeGreaterThan(0);
    expect(second).toBeLessThanOrEqual(first * 0.1);

    // The same as a provider with no cache fetching in full.
    const fresh = await provider({ pageSize: 20 }).authenticate(creds, { timezone: zone });
    for (const [i, [a, b]] of windows.entries()) {
      const f = await fresh.getAppointments(a, b);
      expect(results[i]).toEqual(f);
    }
    expect(results.flatMap((r) => r.appointments.map((x) => x.id))).toContain('NEW-1');

    // Moved, not gone: found by id at its new date; a removed one is gone.
    sim.resetStats();
    const m = (await again.getAppointment(moved[0])) as PimsAppointment;
    expect(m.date).toBe(dayFromNow(zone, 40));
    expect(await again.getAppointment(String(removed[0]))).toBeNull();
    // Asked of ezyVet each time (where the visit is now), one request each.
    expect(sim.stats().requests.appointment).toBe(2);

    sim.setNow(NOW);
    sim.setScenario({ clinics: [ny] });
  });

  it('fetches dates the cache does not cover in full, and a window it covers by what changed', async () => {
    const zone = NY.timezone;
    const p = provider({ recheckAfterMs: 0 });
    const session = await p.authenticate(credentialsOf(NY, sim.url), { timezone: zone });
    sim.resetStats();
    await session.getAppointments(dayFromNow(zone, -3), dayFromNow(zone, 3));
    const full = sim.stats().requests.appointment;
    sim.resetStats();
    // Inside: one request for what changed (nothing).
    await session.getAppointments(dayFromNow(zone, -1), dayFromNow(zone, 1));
    expect(sim.stats().requests.appointment).toBe(1);
    sim.resetStats();
    // Partly outside: what changed, and the new days in full.
    const wider = await session.getAppointments(dayFromNow(zone, 2), dayFromNow(zone, 6));
    expect(sim.stats().requests.appointment).toBe(2);
    const fresh = await provider().authenticate(credentialsOf(NY, sim.url), { timezone: zone });
    expect(wider).toEqual(await fresh.getAppointments(dayFromNow(zone, 2), dayFromNow(zone, 6)));
    expect(full).toBe(1);
  });
});

describe('freshness: what the sync engine reads reflects ezyVet now', () => {
  it('a window asked again sees a change made a moment ago (one request); the next window of the same sync is answered by that check; one day is read in full', async () => {
    const zone = NY.timezone;
    const back = [dayFromNow(zone, -7), dayFromNow(zone, 0)] as const;
    const ahead = [dayFromNow(zone, 0), dayFromNow(zone, 7)] as const;
    const p = provider(); // the default time bound
    const creds = credentialsOf(NY, sim.url);
    const session = await p.authenticate(creds, { timezone: zone });
    const first = await session.getAppointments(...back);
    await session.getAppointments(...ahead);
    const visit = first.appointments.find((a) => a.status !== 'cancelled' && a.date < back[1])!;
    const later = ny.appointments.find((a) => !a.isBlock && !a.isRoster && local(a).slice(0, 10) > ahead[0] && a.status !== 'cancelled')!;
    try {
      // At once (no time passes): the front desk cancels a visit; the next sync asks the same window.
      sim.updateAppointment(visit.id, { companyId: NY.companyId, status: 'cancelled' });
      sim.resetStats();
      const again = await session.getAppointments(...back);
      expect(again.appointments.find((a) => a.id === visit.id)?.status).toBe('cancelled');
      expect(sim.stats().requests.appointment).toBe(1);
      // The same sync's forward window: answered by that check, no request, as a full fetch answers it.
      sim.resetStats();
      const next = await session.getAppointments(...ahead);
      expect(sim.stats().requests.appointment).toBe(0);
      const fresh = await provider().authenticate(creds, { timezone: zone });
      expect(next).toEqual(await fresh.getAppointments(...ahead));
      // The write-back's look at one day before booking: read in full, so a change of a second ago is there.
      sim.updateAppointment(String(later.id), { companyId: NY.companyId, status: 'cancelled' });
      const day = local(later).slice(0, 10);
      sim.resetStats();
      const oneDay = await session.getAppointments(day, day);
      expect(oneDay.appointments.find((a) => a.id === String(later.id))?.status).toBe('cancelled');
      expect(sim.stats().requests.appointment).toBe(1);
    } finally {
      sim.setScenario({ clinics: [ny] });
    }
  });
});

describe('consultations and the calendar set-up', () => {
  it('reads a consultation: notes, discharge summary, diagnoses, products; null when ezyVet has none', async () => {
    const session = await provider().authenticate(credentialsOf(NY, sim.url), { timezone: NY.timezone });
    const k = ny.consultations.find((c) => (c.diagnoses ?? []).length > 0 && (c.lines ?? []).length > 0)!;
    const c = await session.getConsultation(String(k.id));
    expect(c).toMatchObject({
      id: String(k.id),
      status: k.status ?? null,
      notes: k.notes ?? null,
      dischargeSummary: k.dischargeSummary ?? null,
      diagnoses: k.diagnoses,
      products: (k.lines ?? []).map((l) => ({ name: l.productService, quantity: l.quantity ?? null, isDeclined: l.isDeclined ?? false })),
    });
    expect(await session.getConsultation('NO-SUCH-CONSULT')).toBeNull();
  });

  it('reads rooms, providers, appointment types and the hours of the site', async () => {
    const session = await provider().authenticate(credentialsOf(NY, sim.url), { timezone: NY.timezone });
    const config = await session.getScheduleConfig();
    expect(config.rooms).toEqual(ny.rooms.map((r) => ({ id: r.id, name: r.name })));
    expect(config.providers).toEqual(ny.providers.map((r) => ({ id: r.id, name: r.name })));
    expect(config.businessHours).toEqual(ny.businessHours);
    expect(config.slotIntervalMinutes).toBe(ny.slotInterval);
    expect(config.appointmentTypes).toEqual(ny.appointmentTypes.map((t) => ({ id: t.id, name: t.name, durationMinutes: t.duration })));
  });
});

describe('credentials', () => {
  it("refuses a wrong secret as pims_auth_failed with ezyVet's words, and no secret in it or in any log line", async () => {
    const wrong = { ...credentialsOf(NY, sim.url), clientSecret: 'Wrong-Secret-99!' };
    const err = await provider()
      .authenticate(wrong, { timezone: NY.timezone })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isPimsError(err, 'pims_auth_failed')).toBe(true);
    expect((err as Error).message).toMatch(/ezyVet refused the API credentials \(HTTP 401\)/);
    for (const s of ['Wrong-Secret-99!', NY.password]) {
      expect((err as Error).message).not.toContain(s);
      for (const l of lines) expect(l).not.toContain(s);
    }
  });

  it('refuses IDEXX Neo credentials', async () => {
    const err = await provider()
      .authenticate({ baseUrl: sim.url, username: 'u', password: 'p' }, { timezone: NY.timezone })
      .catch((e: unknown) => e);
    expect(isPimsError(err, 'pims_auth_failed')).toBe(true);
  });
});
