// The ezyVet provider under the simulator's faults: 429s (rateLimitEvery and the real per-endpoint
// limit), 5xx errors, tokens that expire mid-run, failing paths, unreadable records; the observer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEzyvetSimulator, type EzyvetSimulator } from '@pims/ezyvet-sim';
import type { GeneratedClinic } from '@pims/sim-scenario';
import { isPimsError, type PimsRequestEvent } from '@pims/pims';
import { createEzyvetProvider, type EzyvetProvider, type EzyvetProviderOptions } from './index';
import { NOW, clinic, credentialsOf, dayFromNow, recordingLogger, type TestClinic } from './testing/fixtures';

const C: TestClinic = { companyId: 'ez-faults', password: 'Faults-Secret-2026!', timezone: 'Europe/London' };
// Short waits, a deep budget: errorRate 0.3 must never exhaust it; a 429's wait is capped.
const RETRY = { retries: 8, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 1500 };
const FAST: EzyvetProviderOptions = { retry: RETRY, rateLimit: { perEndpointPerMinute: 100_000, perClinicPerMinute: 100_000 }, recheckAfterMs: 0 };

let sim: EzyvetSimulator;
let data: GeneratedClinic;
const { logger, lines } = recordingLogger();
const providers: EzyvetProvider[] = [];
const from = () => dayFromNow(C.timezone, -7);
const to = () => dayFromNow(C.timezone, 7);

function provider(opts: EzyvetProviderOptions = {}): EzyvetProvider {
  const p = createEzyvetProvider({ ...FAST, logger, ...opts });
  providers.push(p);
  return p;
}

async function expected() {
  sim.setFaults({});
  const s = await provider().authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
  return s.getAppointments(from(), to());
}

beforeAll(async () => {
  data = clinic(C, { visitsPerDay: 10, daysBack: 10, daysForward: 10 });
  sim = await startEzyvetSimulator({ scenario: { clinics: [data] }, now: NOW, rateLimitPerMinute: 0, rateLimitPerClinicPerMinute: 0 });
});

afterEach(() => {
  sim.setFaults({});
  sim.setRateLimits({ perEndpoint: 0, perClinic: 0 });
});

afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  await sim?.close();
  for (const l of lines) expect(l).not.toContain(C.password);
});

describe('faults', () => {
  it('waits out 429s (Retry-After) and gives the same answer', async () => {
    const want = await expected();
    sim.setFaults({ rateLimitEvery: 3 });
    sim.resetStats();
    const events: PimsRequestEvent[] = [];
    // Retry-After is 1 s; capped at 200 ms here to keep the test short.
    const s = await provider({ pageSize: 20, observer: (e) => events.push(e), retry: { ...RETRY, maxRetryAfterMs: 200 } }).authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
    expect(await s.getAppointments(from(), to())).toEqual(want);
    expect(sim.stats().rateLimited).toBeGreaterThan(0);
    expect(events.filter((e) => e.outcome === 'rate_limited').length).toBe(sim.stats().rateLimited);
    expect(events.every((e) => e.provider === 'ezyvet' && e.durationMs >= 0)).toBe(true);
    expect(new Set(events.map((e) => e.endpoint))).toContain('oauth');
    expect(new Set(events.map((e) => e.endpoint))).toContain('appointment');
  });

  it("keeps to ezyVet's limit of 60 a minute per endpoint: no 429 from the simulator's real limit", async () => {
    sim.setRateLimits({ perEndpoint: 60, perClinic: 180 });
    sim.resetStats();
    const s = await provider({ pageSize: 10, rateLimit: {} }).authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
    // More appointment pages than the bucket's burst (3): the client spaces them.
    await s.getAppointments(dayFromNow(C.timezone, -2), dayFromNow(C.timezone, 2));
    expect(sim.stats().requests.appointment).toBeGreaterThan(3);
    expect(sim.stats().rateLimited).toBe(0);
  });

  it("waits when the simulator's own limit answers 429, then goes on", async () => {
    sim.setRateLimits({ perEndpoint: 2, perClinic: 0 });
    sim.resetStats();
    let limited = 0;
    const observer = (e: PimsRequestEvent) => {
      if (e.outcome !== 'rate_limited') return;
      limited += 1;
      // The window "resets": the next attempt is let through.
      sim.setRateLimits({ perEndpoint: 0 });
    };
    const s = await provider({ observer }).authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
    for (let i = 0; i < 4; i += 1) expect(await s.getAppointment(`NO-SUCH-${i}`)).toBeNull();
    expect(limited).toBe(1);
    expect(sim.stats().rateLimited).toBe(1);
  });

  it('retries 5xx errors and gives the same answer', async () => {
    const want = await expected();
    sim.setFaults({ errorRate: 0.3, seed: 7 });
    sim.resetStats();
    const s = await provider({ pageSize: 20 }).authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
    expect(await s.getAppointments(from(), to())).toEqual(want);
    expect(sim.stats().errors).toBeGreaterThan(0);
  });

  it('gets a new token when one expires mid-run (sessionTtlSeconds) or is revoked', async () => {
    const want = await expected();
    sim.setFaults({ sessionTtlSeconds: 0.3 });
    sim.resetStats();
    const p = provider({ pageSize: 20 });
    const s = await p.authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
    await new Promise((r) => setTimeout(r, 400));
    expect(await s.getAppointments(from(), to())).toEqual(want);
    sim.setFaults({});
    expect(sim.expireSessions(C.companyId)).toBeGreaterThan(0);
    const k = data.consultations[0];
    expect((await s.getConsultation(String(k.id)))?.id).toBe(String(k.id));
    expect(sim.stats().logins).toBeGreaterThanOrEqual(3);
  });

  it('answers pims_unavailable when a path keeps failing, after its retries', async () => {
    const s = await provider({ retry: { ...RETRY, retries: 2 } }).authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
    sim.setFaults({ failPaths: ['/v2/appointment'] });
    const err = await s.getAppointments(from(), to()).catch((e: unknown) => e);
    expect(isPimsError(err, 'pims_unavailable')).toBe(true);
    expect((err as Error).message).toMatch(/after 3 attempts/);
  });

  it('with the consult list failing the calendar is still answered (CONTRACT 3.5), and a consultation change made meanwhile is seen once it answers again', async () => {
    const want = await expected();
    const visit = want.appointments.find((a) => a.consultationId !== null && a.date < dayFromNow(C.timezone, 0))!;
    const same = (r: typeof want) => r.appointments.map((a) => [a.id, a.date, a.startTime, a.status]);
    // A first read under the fault: consults cannot be read, appointments can.
    sim.setFaults({ failPaths: ['/v1/consult'] });
    const cold = await provider({ retry: { ...RETRY, retries: 1 } }).authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
    expect(same(await cold.getAppointments(from(), to()))).toEqual(same(want));
    // A warm cache: the consult changes in ezyVet while its list fails; the check goes on without it.
    sim.setFaults({});
    const s = await provider({ retry: { ...RETRY, retries: 1 } }).authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
    const before = (await s.getAppointments(from(), to())).appointments.find((a) => a.id === visit.id)!;
    sim.setFaults({ failPaths: ['/v1/consult'] });
    sim.updateConsultation(visit.consultationId!, { companyId: C.companyId, notes: 'S: better.' });
    const during = await s.getAppointments(from(), to());
    expect(same(during)).toEqual(same(want));
    expect(during.appointments.find((a) => a.id === visit.id)!.lastUpdatedAt).toBe(before.lastUpdatedAt);
    sim.setFaults({});
    // Not lost: the next check asks for consults from the mark it had before the failure.
    const after = (await s.getAppointments(from(), to())).appointments.find((a) => a.id === visit.id)!;
    expect(after.lastUpdatedAt! > before.lastUpdatedAt!).toBe(true);
    expect((await s.getConsultation(visit.consultationId!))?.notes).toBe('S: better.');
  });

  it('a visit that becomes unreadable after a clean read is skipped with its id on every read, its older copy never served; read again once whole', async () => {
    const s = await provider().authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
    const clean = await s.getAppointments(from(), to());
    expect(clean.skipped).toBe(0);
    const [x] = clean.appointments.filter((a) => a.date > dayFromNow(C.timezone, 0)).map((a) => a.id);
    sim.setFaults({ malformedIds: [x] });
    for (let i = 0; i < 2; i += 1) {
      const r = await s.getAppointments(from(), to());
      expect(r).toMatchObject({ skipped: 1, skippedIds: [x] });
      expect(r.appointments.map((a) => a.id)).not.toContain(x);
    }
    sim.setFaults({});
    const whole = await s.getAppointments(from(), to());
    expect(whole.skipped).toBe(0);
    expect(whole.appointments).toEqual(clean.appointments);
  });

  it('counts unreadable appointments as skipped (with their ids), also on a re-sync, and reads them once they are whole', async () => {
    const visits = data.appointments.filter((a) => !a.isBlock && !a.isRoster && (a.start ?? '').slice(0, 10) === dayFromNow(C.timezone, 1));
    const broken = visits.slice(0, 2).map((a) => String(a.id));
    const p = provider();
    const s = await p.authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
    sim.setFaults({ malformedIds: broken });
    const first = await s.getAppointments(from(), to());
    expect(first.skipped).toBe(2);
    expect(first.skippedIds?.sort()).toEqual([...broken].sort());
    expect(first.appointments.map((a) => a.id)).not.toContain(broken[0]);
    const again = await s.getAppointments(from(), to());
    expect(again.skipped).toBe(2);
    sim.setFaults({});
    const whole = await s.getAppointments(from(), to());
    expect(whole.skipped).toBe(0);
    expect(whole.appointments.map((a) => a.id)).toEqual(expect.arrayContaining(broken));
  });
});
