// Fault injection: expiring sessions, 5xx and 429 answers, permanently failing paths, cancellation.
// Real Chromium against the real simulator, in-process.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ScenarioInput, type Simulator } from '@pims/idexx-neo-sim';
import type { AppointmentsResult, PimsConsultation } from '@pims/pims';
import { createIdexxNeoProvider, maxTotalBackoffMs, resolveRetryPolicy, type IdexxNeoProvider, type IdexxNeoSession } from './index';
import { KIRITIMATI, PAGO_PAGO, VISITS, WINDOW, clinicScenario, credentialsOf, everythingOf, recordingLogger } from './testing/neo-fixtures';

const EXTRA_CONSULTATIONS = 20;
const RETRY = { retries: 6, baseDelayMs: 50, maxDelayMs: 400 };

let sim: Simulator;
let provider: IdexxNeoProvider;
let session: IdexxNeoSession;
const { logger, lines } = recordingLogger();
const errors: unknown[] = [];

interface FullFetch {
  appointments: AppointmentsResult;
  consultations: Record<string, PimsConsultation | null>;
}

/** What a sync does: the appointments of the window, then their consultations, five at a time. */
async function fullFetch(s: IdexxNeoSession, parallel = 5): Promise<FullFetch> {
  const appointments = await s.getAppointments(WINDOW.from, WINDOW.to);
  const ids = appointments.appointments.map((a) => a.consultationId).filter((id): id is string => id !== null);
  const consultations: Record<string, PimsConsultation | null> = {};
  for (let i = 0; i < ids.length; i += parallel) {
    const batch = ids.slice(i, i + parallel);
    const got = await Promise.all(batch.map((id) => s.getConsultation(id)));
    batch.forEach((id, j) => (consultations[id] = got[j]));
  }
  return { appointments, consultations };
}

let baseline: FullFetch;

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    scenario: { clinics: [clinicScenario(KIRITIMATI, { consultationCount: EXTRA_CONSULTATIONS }), clinicScenario(PAGO_PAGO)] } as ScenarioInput,
    now: '2026-11-16T12:00:00Z',
  });
  provider = createIdexxNeoProvider({ logger, chromiumPath: process.env.CHROMIUM_PATH, retry: RETRY, requestTimeoutMs: 10_000 });
  session = await provider.authenticate(credentialsOf(KIRITIMATI, sim.url), { timezone: KIRITIMATI.timezone });
  baseline = await fullFetch(session);
});

afterEach(() => {
  sim.setFaults({});
});

afterAll(async () => {
  await provider?.close();
  await sim?.close();
});

describe('the baseline', () => {
  it('has every visit and consultation of the scenario', () => {
    expect(baseline.appointments.appointments).toHaveLength(VISITS.length + EXTRA_CONSULTATIONS);
    expect(Object.keys(baseline.consultations)).toHaveLength(3 + EXTRA_CONSULTATIONS);
    expect(Object.values(baseline.consultations).every((k) => k !== null)).toBe(true);
  });
});

describe('expiring sessions', () => {
  it('completes a long fetch with sessionTtlSeconds: 2, logging in again as needed', async () => {
    sim.setFaults({ sessionTtlSeconds: 2, latencyMs: 120 });
    const loginsBefore = sim.stats().byCompany[KIRITIMATI.companyId].logins;
    const reloginsBefore = session.stats().relogins;
    const started = Date.now();
    const got = await fullFetch(session, 2);
    expect(Date.now() - started).toBeGreaterThan(2_000); // long enough for the session to expire
    expect(got).toEqual(baseline);
    expect(sim.stats().byCompany[KIRITIMATI.companyId].logins).toBeGreaterThan(loginsBefore);
    expect(session.stats().relogins).toBeGreaterThan(reloginsBefore);
  });
});

describe('transient failures', () => {
  it('completes a full fetch with errorRate 0.3 and rateLimitEvery 5, with the right data', async () => {
    sim.setFaults({ errorRate: 0.3, rateLimitEvery: 5, seed: 7 });
    sim.resetStats();
    const before = session.stats();
    const got = await fullFetch(session);
    expect(got).toEqual(baseline);
    const stats = sim.stats();
    expect(stats.errors).toBeGreaterThan(0);
    expect(stats.rateLimited).toBeGreaterThan(0);
    const after = session.stats();
    expect(after.retries - before.retries).toBe(stats.errors + stats.rateLimited);
    expect(after.rateLimited - before.rateLimited).toBe(stats.rateLimited);
  });

  it("honours a 429's Retry-After", async () => {
    sim.setFaults({ rateLimitEvery: 2 });
    await session.getScheduleConfig(); // JSON request 1: served
    const started = Date.now();
    const cfg = await session.getScheduleConfig(); // request 2: 429 with Retry-After: 1, then served
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(cfg.slotIntervalMinutes).toBe(15);
  });
});

describe('permanent failures', () => {
  const policy = resolveRetryPolicy(RETRY);

  it('ends a consultation fetch in pims_unavailable within its retry budget', async () => {
    sim.setFaults({ failPaths: ['consultations'] });
    const before = sim.stats().byCompany[KIRITIMATI.companyId].requests.consultationPageData;
    const started = Date.now();
    const err = await session.getConsultation('7001-K05').catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    errors.push(err);
    expect(err).toMatchObject({ name: 'AppError', code: 'pims_unavailable', retryable: true });
    expect((err as Error).message).toContain(`${policy.retries + 1} attempts`);
    expect(sim.stats().byCompany[KIRITIMATI.companyId].requests.consultationPageData - before).toBe(policy.retries + 1);
    expect(elapsed).toBeGreaterThanOrEqual(maxTotalBackoffMs(policy) * (1 - policy.jitter));
    expect(elapsed).toBeLessThan(maxTotalBackoffMs(policy) + 5_000);
  });

  it('ends an appointments fetch in pims_unavailable, starting no new chunk after the failure', async () => {
    sim.setFaults({ failPaths: ['getCalendarEventData'] });
    const before = sim.stats().byCompany[KIRITIMATI.companyId].requests.getCalendarEventData;
    const err = await session.getAppointments(WINDOW.from, WINDOW.to).catch((e: unknown) => e);
    errors.push(err);
    expect(err).toMatchObject({ code: 'pims_unavailable' });
    const made = sim.stats().byCompany[KIRITIMATI.companyId].requests.getCalendarEventData - before;
    expect(made).toBeGreaterThanOrEqual(policy.retries + 1);
    expect(made).toBeLessThanOrEqual(3 * (policy.retries + 1)); // concurrency 3: the fourth chunk never starts
  });

  it('ends a log-in in pims_unavailable when the login page keeps failing', async () => {
    sim.setFaults({ failPaths: ['/login'] });
    const fast = createIdexxNeoProvider({ logger, chromiumPath: process.env.CHROMIUM_PATH, retry: { retries: 2, baseDelayMs: 20, maxDelayMs: 50 } });
    try {
      const err = await fast.authenticate(credentialsOf(PAGO_PAGO, sim.url), { timezone: PAGO_PAGO.timezone }).catch((e: unknown) => e);
      errors.push(err);
      expect(err).toMatchObject({ code: 'pims_unavailable', retryable: true });
      expect(fast.openSessions()).toBe(0);
    } finally {
      await fast.close();
    }
  });
});

describe('cancellation', () => {
  it('stops a slow call at once when its signal aborts', async () => {
    sim.setFaults({ latencyMs: 5_000 });
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 200);
    const err = await session.getScheduleConfig({ signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('secrets', () => {
  it('never writes a password into a log line or an error', () => {
    expect(lines.length).toBeGreaterThan(0);
    const everything = lines.join('\n') + errors.map(everythingOf).join('\n');
    for (const p of [KIRITIMATI.password, PAGO_PAGO.password]) expect(everything).not.toContain(p);
  });
});
