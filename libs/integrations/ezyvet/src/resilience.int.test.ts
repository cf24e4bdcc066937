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
