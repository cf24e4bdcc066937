// The IDEXX Neo client in real Chromium against the real simulator (apps/idexx-neo-sim), in-process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ScenarioInput, type Simulator } from '@pims/idexx-neo-sim';
import { createIdexxNeoProvider, maxTotalBackoffMs, resolveRetryPolicy, type IdexxNeoProvider, type IdexxNeoSession, type NeoRequestEvent } from './index';
import {
  BLOCKS_AND_ROSTERS,
  KIRITIMATI,
  LOS_ANGELES,
  MALFORMED,
  MFA_CLINIC,
  PAGO_PAGO,
  VISITS,
  WINDOW,
  WIRE_WORD,
  clinicScenario,
  credentialsOf,
  everythingOf,
  expectedInstant,
  recordingLogger,
  type ClinicFixture,
} from './testing/neo-fixtures';

const WRONG_PASSWORD = 'Wrong-Pass-2026!q';
const ALL_PASSWORDS = [KIRITIMATI, PAGO_PAGO, LOS_ANGELES, MFA_CLINIC].map((c) => c.password).concat(WRONG_PASSWORD);
// Long backoff on purpose: a client that retried a refused log-in would wait at least
// MIN_RETRY_WAIT_MS, so "quickly" below is measurable. Nothing else in this file retries.
const RETRY = { retries: 4, baseDelayMs: 3_000, maxDelayMs: 6_000 };
const MIN_RETRY_WAIT_MS = maxTotalBackoffMs(resolveRetryPolicy(RETRY)) * (1 - resolveRetryPolicy(RETRY).jitter);

let sim: Simulator;
let provider: IdexxNeoProvider;
const { logger, lines } = recordingLogger();
const events: NeoRequestEvent[] = [];
const errors: unknown[] = [];
const sessions = new Map<string, IdexxNeoSession>();

const scenario = {
  clinics: [clinicScenario(KIRITIMATI), clinicScenario(PAGO_PAGO), clinicScenario(LOS_ANGELES), clinicScenario(MFA_CLINIC, { mfa: true })],
} as ScenarioInput;

async function sessionFor(c: ClinicFixture): Promise<IdexxNeoSession> {
  let s = sessions.get(c.companyId);
  if (!s) {
    s = await provider.authenticate(credentialsOf(c, sim.url), { timezone: c.timezone });
    sessions.set(c.companyId, s);
  }
  return s;
}

async function caught<T>(p: Promise<T>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    errors.push(err);
    return err;
  }
  throw new Error('expected an error');
}

beforeAll(async () => {
  sim = await startSimulator({ port: 0, scenario, now: '2026-11-16T12:00:00Z' });
  provider = createIdexxNeoProvider({
    logger,
    chromiumPath: process.env.CHROMIUM_PATH,
    retry: RETRY,
    requestTimeoutMs: 15_000,
    onRequest: (e) => events.push(e),
  });
});

afterAll(async () => {
  await provider?.close();
  await sim?.close();
});

describe('login', () => {
  it('logs in and opens a session', async () => {
    const before = sim.stats().byCompany[KIRITIMATI.companyId]?.logins ?? 0;
    const s = await sessionFor(KIRITIMATI);
    expect(s.stats().logins).toBe(1);
    expect(sim.stats().byCompany[KIRITIMATI.companyId].logins).toBe(before + 1);
    expect(provider.openSessions()).toBeGreaterThanOrEqual(1);
  });

  it('refuses a wrong password with pims_auth_failed, quickly and without retrying', async () => {
    const postsBefore = sim.stats().byCompany[PAGO_PAGO.companyId]?.requests.login ?? 0;
    const started = Date.now();
    const err = await caught(provider.authenticate(credentialsOf(PAGO_PAGO, sim.url, { password: WRONG_PASSWORD }), { timezone: PAGO_PAGO.timezone }));
    const elapsed = Date.now() - started;
    expect(err).toMatchObject({ name: 'AppError', code: 'pims_auth_failed', status: 401, retryable: false });
    // One attempt only, and well under the retry budget (which holds at least MIN_RETRY_WAIT_MS of waiting).
    expect(sim.stats().byCompany[PAGO_PAGO.companyId].requests.login - postsBefore).toBe(1);
    expect(MIN_RETRY_WAIT_MS).toBeGreaterThanOrEqual(10_000);
    expect(elapsed).toBeLessThan(MIN_RETRY_WAIT_MS);
    expect(events.filter((e) => e.companyId === PAGO_PAGO.companyId && e.outcome === 'retry')).toEqual([]);
    expect((err as Error).message).toContain('Invalid login details');
    expect(everythingOf(err)).not.toContain(WRONG_PASSWORD);
    expect(provider.openSessions()).toBe(sessions.size);
  });

  it('stops with pims_mfa_required when Neo asks for a verification code', async () => {
    const started = Date.now();
    const err = await caught(provider.authenticate(credentialsOf(MFA_CLINIC, sim.url), { timezone: MFA_CLINIC.timezone }));
    expect(err).toMatchObject({ code: 'pims_mfa_required', retryable: false });
    expect(Date.now() - started).toBeLessThan(MIN_RETRY_WAIT_MS);
    expect(sim.stats().byCompany[MFA_CLINIC.companyId].requests.login).toBe(1);
    expect(sim.stats().byCompany[MFA_CLINIC.companyId].logins).toBe(0);
  });

  it('refuses an unknown company with pims_auth_failed', async () => {
    const err = await caught(provider.authenticate(credentialsOf(KIRITIMATI, sim.url, { companyId: '999999' }), { timezone: KIRITIMATI.timezone }));
    expect(err).toMatchObject({ code: 'pims_auth_failed' });
  });

  it('logs in without a company id where the form has no such field', async () => {
    const hidden: ClinicFixture = { ...PAGO_PAGO, companyId: '7300', username: 'solo.front' };
    const solo = await startSimulator({ port: 0, scenario: { clinics: [clinicScenario(hidden, { showCompanyId: false })] } as ScenarioInput });
    try {
      const s = await provider.authenticate(credentialsOf(hidden, solo.url, { companyId: null }), { timezone: hidden.timezone });
      const r = await s.getAppointments('2026-10-19', '2026-10-25');
      expect(r.appointments.map((a) => a.id)).toContain('7300-V01');
      await s.close();
      expect(solo.stats().logins).toBe(1);
    } finally {
      await solo.close();
    }
  });

  it('gives pims_unavailable, after its retries, when nothing answers', async () => {
    const dead = await startSimulator({ port: 0, scenario: { clinics: [] } });
    const url = dead.url;
    await dead.close();
    const fast = createIdexxNeoProvider({ logger, chromiumPath: process.env.CHROMIUM_PATH, retry: { retries: 2, baseDelayMs: 50, maxDelayMs: 100 } });
    try {
      const started = Date.now();
      const err = await caught(fast.authenticate(credentialsOf(KIRITIMATI, url), { timezone: KIRITIMATI.timezone }));
      expect(err).toMatchObject({ code: 'pims_unavailable', retryable: true });
      expect((err as Error).message).toMatch(/3 attempts/);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await fast.close();
    }
  });
});

describe.each([KIRITIMATI, PAGO_PAGO, LOS_ANGELES])('appointments of $timezone', (clinic) => {
  it('returns exactly the visits of a 28-day range, in clinic-local time, with normalized statuses', async () => {
    const s = await sessionFor(clinic);
    const calendarBefore = sim.stats().byCompany[clinic.companyId].requests.getCalendarEventData;
    const r = await s.getAppointments(WINDOW.from, WINDOW.to);
    expect(sim.stats().byCompany[clinic.companyId].requests.getCalendarEventData - calendarBefore).toBe(4); // 28 days in 7-day chunks
    expect(r.excluded).toBe(BLOCKS_AND_ROSTERS);
    expect(r.skipped).toBe(MALFORMED);
    expect(r.skippedIds).toEqual([`${clinic.companyId}-MAL2`]); // the one without a start; the other has no id
    const byId = new Map(r.appointments.map((a) => [a.id, a]));
    expect([...byId.keys()].sort()).toEqual(VISITS.map((v) => `${clinic.companyId}-${v.suffix}`).sort());
    for (const v of VISITS) {
      const a = byId.get(`${clinic.companyId}-${v.suffix}`)!;
      const [date, time] = v.start.split('T');
      expect({ id: a.id, date: a.date, startTime: a.startTime, startAt: a.startAt, endAt: a.endAt, status: a.status, rawStatus: a.rawStatus }).toEqual({
        id: `${clinic.companyId}-${v.suffix}`,
        date,
        startTime: `${time}:00`,
        startAt: expectedInstant(clinic, v.start),
        endAt: expectedInstant(clinic, v.start, v.durationMinutes),
        status: v.status,
        rawStatus: WIRE_WORD[v.neoStatus],
      });
      expect(a.consultationId).toBe(v.consultation ? `${clinic.companyId}-${v.consultation}` : null);
    }
    const v09 = byId.get(`${clinic.companyId}-V09`)!;
    expect([v09.endDate, v09.endTime]).toEqual(['2026-11-16', '00:15:00']);
    const v01 = byId.get(`${clinic.companyId}-V01`)!;
    expect(v01).toMatchObject({
      type: 'Wellness Exam',
      reason: 'Reason V01',
      provider: { id: 'p1', name: 'Dr. Rivera' },
      room: { id: 'r1', name: 'Exam 1' },
      patient: { id: 'P-1', name: 'Pet 1', species: 'Canine', breed: 'Beagle' },
      client: { id: 'C-1', firstName: 'First1', lastName: 'Last1', phone: '+15550000001', email: 'owner1@example.com' },
    });
    expect(v01.lastUpdatedAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // Sorted by start.
    const starts = r.appointments.map((a) => a.startAt);
    expect([...starts].sort()).toEqual(starts);
  });

  it('keeps to the window by clinic-local date, for single days at both edges', async () => {
    const s = await sessionFor(clinic);
    const first = await s.getAppointments(WINDOW.from, WINDOW.from);
    expect(first.appointments.map((a) => a.id)).toEqual([`${clinic.companyId}-V01`]);
    const last = await s.getAppointments(WINDOW.to, WINDOW.to);
    expect(last.appointments.map((a) => a.id)).toEqual([`${clinic.companyId}-V09`]);
    const before = await s.getAppointments('2026-10-18', '2026-10-18');
    expect(before.appointments.map((a) => a.id)).toEqual([`${clinic.companyId}-OUT1`]);
  });
});

describe('consultations and calendar set-up', () => {
  it('fetches a consultation with notes, discharge summary, diagnoses and products', async () => {
    const s = await sessionFor(KIRITIMATI);
    const k = await s.getConsultation('7001-K05');
    expect(k).toEqual({
      id: '7001-K05',
      status: 'Unpaid',
      notes: 'S: limping for 2 days. O: swelling left fore. A: sprain. P: rest, NSAID.',
      dischargeSummary: 'Keep Pet 5 rested for 48 hours; give the anti-inflammatory with food.',
      diagnoses: ['Carpal sprain', 'Soft tissue injury'],
      products: [
        { name: 'Meloxicam 1.5mg/ml', quantity: 2, isDeclined: false },
        { name: 'Radiograph', quantity: 1, isDeclined: true },
      ],
      reason: 'Limping',
      date: expect.any(String),
    });
    const draft = await s.getConsultation('7001-K09');
    expect(draft).toMatchObject({ id: '7001-K09', status: 'Draft', diagnoses: [], products: [] });
  });

  it('answers null for an unknown consultation', async () => {
    const s = await sessionFor(KIRITIMATI);
    expect(await s.getConsultation('does-not-exist')).toBeNull();
  });

  it('reads the calendar set-up with ISO weekdays', async () => {
    const s = await sessionFor(PAGO_PAGO);
    expect(await s.getScheduleConfig()).toEqual({
      slotIntervalMinutes: 15,
      businessHours: [
        { daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' },
        { daysOfWeek: [6, 7], startTime: '09:00', endTime: '13:00' },
      ],
      rooms: [
        { id: 'r1', name: 'Exam 1' },
        { id: 'r2', name: 'Exam 2' },
      ],
      providers: [
        { id: 'p1', name: 'Dr. Rivera' },
        { id: 'p2', name: 'Dr. Chen' },
      ],
      // The simulator lists one type per name its appointments use, the length of the first.
      appointmentTypes: [{ id: 't1', name: 'Wellness Exam', durationMinutes: VISITS[0].durationMinutes }],
    });
  });

  it('sends the JSON headers and reports every request to onRequest', async () => {
    const s = await sessionFor(KIRITIMATI);
    const n = events.length;
    await s.getScheduleConfig();
    expect(events.slice(n)).toEqual([expect.objectContaining({ endpoint: 'getAppointmentView', path: '/appointments/getAppointmentView', status: 200, outcome: 'ok', attempt: 1, companyId: '7001' })]);
  });
});

describe('one appointment by id', () => {
  it('reads each visit as the calendar shows it; null for an unknown id, a block or a roster', async () => {
    const s = await sessionFor(KIRITIMATI);
    const { appointments } = await s.getAppointments(WINDOW.from, WINDOW.to);
    expect(appointments).toHaveLength(VISITS.length);
    const simBefore = sim.stats().byCompany[KIRITIMATI.companyId].requests.getAppointment;
    const ownBefore = s.stats().byEndpoint.getAppointment;
    for (const a of appointments) expect(await s.getAppointment(a.id)).toEqual(a);
    expect(sim.stats().byCompany[KIRITIMATI.companyId].requests.getAppointment - simBefore).toBe(VISITS.length);
    expect(s.stats().byEndpoint.getAppointment - ownBefore).toBe(VISITS.length);
    expect(await s.getAppointment('7001-NOPE')).toBeNull();
    expect(await s.getAppointment('7001-BLK1')).toBeNull();
    expect(await s.getAppointment('7001-ROS2')).toBeNull();
    await expect(s.getAppointment('  ')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('follows a visit the PIMS moved to another day, and answers null once it is deleted', async () => {
    const own = await startSimulator({ port: 0, scenario: { clinics: [clinicScenario(PAGO_PAGO)] } as ScenarioInput, now: '2026-11-16T12:00:00Z' });
    const s = await provider.authenticate(credentialsOf(PAGO_PAGO, own.url), { timezone: PAGO_PAGO.timezone });
    try {
      const id = `${PAGO_PAGO.companyId}-V02`;
      expect(await s.getAppointment(id)).toMatchObject({ date: '2026-10-21', startTime: '09:00:00', room: { id: 'r2', name: 'Exam 2' } });
      own.updateAppointment(id, { companyId: PAGO_PAGO.companyId, start: '2026-12-03T15:30', roomId: 'r1', status: 'arrived' });
      expect(await s.getAppointment(id)).toMatchObject({
        id,
        date: '2026-12-03',
        startTime: '15:30:00',
        endTime: '16:00:00',
        startAt: expectedInstant(PAGO_PAGO, '2026-12-03T15:30'),
        status: 'checked_in',
        room: { id: 'r1', name: 'Exam 1' },
        patient: { id: 'P-2', name: 'Pet 2' },
      });
      expect((await s.getAppointments(WINDOW.from, WINDOW.to)).appointments.map((a) => a.id)).not.toContain(id);
      own.removeAppointment(id, PAGO_PAGO.companyId);
      expect(await s.getAppointment(id)).toBeNull();
    } finally {
      await s.close();
      await own.close();
    }
  });
});

describe('sessions', () => {
  it('logs in again once when the session has ended, and repeats the call', async () => {
    const s = await sessionFor(LOS_ANGELES);
    const before = sim.stats().byCompany[LOS_ANGELES.companyId].logins;
    expect(sim.expireSessions(LOS_ANGELES.companyId)).toBeGreaterThan(0);
    const r = await s.getAppointments(WINDOW.from, WINDOW.to);
    expect(r.appointments).toHaveLength(VISITS.length);
    expect(sim.stats().byCompany[LOS_ANGELES.companyId].logins).toBe(before + 1);
    expect(s.stats().relogins).toBe(1);
  });

  it('closes a session and refuses further calls', async () => {
    const s = await provider.authenticate(credentialsOf(PAGO_PAGO, sim.url), { timezone: PAGO_PAGO.timezone });
    const open = provider.openSessions();
    await s.close();
    expect(provider.openSessions()).toBe(open - 1);
    const err = await caught(s.getScheduleConfig());
    expect(err).toMatchObject({ code: 'pims_session_closed' });
  });

  it('rejects bad input before touching the network', async () => {
    const s = await sessionFor(KIRITIMATI);
    await expect(s.getAppointments('2026-11-10', '2026-11-01')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(provider.authenticate(credentialsOf(KIRITIMATI, sim.url), { timezone: 'Mars/Olympus' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(provider.authenticate(credentialsOf(KIRITIMATI, 'not a url'), { timezone: 'UTC' })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('secrets', () => {
  it('never writes a password into a log line or an error', () => {
    expect(lines.length).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThan(0);
    const everything = lines.join('\n') + errors.map(everythingOf).join('\n') + JSON.stringify(events);
    for (const p of ALL_PASSWORDS) expect(everything).not.toContain(p);
  });
});
