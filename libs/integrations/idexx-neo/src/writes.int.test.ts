// The IDEXX Neo write side in real Chromium against the real simulator (in-process): searches,
// client / patient / appointment create, cancel, and exactly one appointment per create under every
// fault (lost answers, errors, 429s, expiring sessions, a refused CSRF token). One browser for the file.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type ScenarioInput, type SimAppointment, type Simulator } from '@pims/idexx-neo-sim';
import type { NewPimsAppointment, PimsWriteSession } from '@pims/pims';
import { createIdexxNeoProvider, type IdexxNeoProvider, type IdexxNeoSession, type NeoRequestEvent } from './index';
import { KIRITIMATI, clinicScenario, credentialsOf, everythingOf, recordingLogger } from './testing/neo-fixtures';

const COMPANY = KIRITIMATI.companyId;
// Short waits, a deep budget: errorRate 0.3 must never exhaust it; a 429's Retry-After is capped.
const RETRY = { retries: 8, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 100 };

let sim: Simulator;
let provider: IdexxNeoProvider;
let session: IdexxNeoSession;
let w: PimsWriteSession;
let patientId: string;
let clientId: string;
const { logger, lines } = recordingLogger();
const events: NeoRequestEvent[] = [];
const errors: unknown[] = [];

const OWNER = { firstName: 'Ana', lastName: 'Lopez', phone: '+1 (555) 123-0000', email: 'ana.lopez@example.com' };

function created(): SimAppointment[] {
  return sim.appointments(COMPANY).filter((a) => a.origin === 'created');
}

/** n bookings of the patient on one day, 15 minutes apart from 08:00. */
function bookings(date: string, n: number, extra: Partial<NewPimsAppointment> = {}): NewPimsAppointment[] {
  return Array.from({ length: n }, (_, i) => {
    const minutes = 8 * 60 + 15 * i;
    const startTime = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    return { patientId, date, startTime, durationMinutes: 15, typeId: 't1', roomId: 'r1', providerId: 'p1', reason: `Booking ${i + 1}`, ...extra };
  });
}

/** Books each in turn; then exactly one appointment per booking is in the PIMS, with the id each call answered. */
async function bookAllAndCheck(list: NewPimsAppointment[]): Promise<void> {
  const before = created().length;
  const ids: string[] = [];
  for (const b of list) {
    const r = await w.createAppointment(b);
    expect(r.created).toBe(true);
    ids.push(r.appointmentId);
  }
  const mine = created().filter((a) => a.start.startsWith(list[0].date));
  expect(created()).toHaveLength(before + list.length);
  expect(mine.map((a) => a.start).sort()).toEqual(list.map((b) => `${b.date}T${b.startTime}`).sort());
  expect(new Set(ids).size).toBe(list.length);
  for (const [i, b] of list.entries()) {
    const a = mine.find((x) => x.start === `${b.date}T${b.startTime}`)!;
    expect(a).toMatchObject({ id: ids[i], status: 'not_arrived', bookedBy: 'PIMS Sync', patient: { id: patientId }, reason: b.reason, type: 'Wellness Exam' });
  }
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
  const types = [
    { id: 't1', name: 'Wellness Exam', duration: 30 },
    { id: 't2', name: 'Surgery', duration: 60 },
  ];
  sim = await startSimulator({ port: 0, scenario: { clinics: [{ ...clinicScenario(KIRITIMATI), appointmentTypes: types }] } as ScenarioInput, now: '2026-11-16T12:00:00Z' });
  provider = createIdexxNeoProvider({ logger, chromiumPath: process.env.CHROMIUM_PATH, retry: RETRY, requestTimeoutMs: 10_000, onRequest: (e) => events.push(e) });
  session = await provider.authenticate(credentialsOf(KIRITIMATI, sim.url), { timezone: KIRITIMATI.timezone });
  w = session.writes;
  ({ clientId } = await w.createClient(OWNER));
  ({ patientId } = await w.createPatient({ clientId, name: 'Biscuit', species: 'Canine', breed: 'Beagle' }));
});

afterEach(() => {
  sim.setFaults({});
});

afterAll(async () => {
  await provider?.close();
  await sim?.close();
});

describe('searches', () => {
  it('reads the logged-in user and the CSRF token at log-in', () => {
    expect(session.userName()).toBe('PIMS Sync');
  });

  it('finds the client by phone in any format, by email, by name, each with its patients', async () => {
    const expected = {
      clientId,
      firstName: 'Ana',
      lastName: 'Lopez',
      phone: '+1 (555) 123-0000',
      phones: ['+1 (555) 123-0000'],
      email: 'ana.lopez@example.com',
      patients: [{ patientId, name: 'Biscuit', species: 'Canine', breed: 'Beagle' }],
    };
    expect(await w.findClients({ phone: '+15551230000' })).toEqual([expected]);
    expect(await w.findClients({ phone: '555.123.0000' })).toEqual([expected]);
    expect(await w.findClients({ email: 'ANA.LOPEZ@example.com' })).toEqual([expected]);
    expect(await w.findClients({ name: 'lopez' })).toEqual([expected]);
    // a phone that only contains the digits, or another email at the same domain, is not a match
    expect(await w.findClients({ phone: '1230000' })).toEqual([]);
    expect(await w.findClients({ email: 'lopez@example.com' })).toEqual([]);
    // the scenario's own clients are found too
    expect(await w.findClients({ phone: '+15550000003' })).toEqual([expect.objectContaining({ clientId: 'C-3', patients: [expect.objectContaining({ patientId: 'P-3', name: 'Pet 3' })] })]);
    await expect(w.findClients({})).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('finds patients by the owner’s phone or email, or by name', async () => {
    const biscuit = { patientId, name: 'Biscuit', species: 'Canine', breed: 'Beagle' };
    expect(await w.findPatients({ phone: '5551230000' })).toEqual([{ ...biscuit, client: { clientId, firstName: 'Ana', lastName: 'Lopez', phone: '+1 (555) 123-0000', email: null } }]);
    expect(await w.findPatients({ email: 'ana.lopez@example.com' })).toEqual([{ ...biscuit, client: expect.objectContaining({ clientId, email: 'ana.lopez@example.com' }) }]);
    expect((await w.findPatients({ name: 'biscuit' })).map((p) => p.patientId)).toEqual([patientId]);
    expect(await w.findPatients({ name: 'Nobody-By-This-Name' })).toEqual([]);
    expect(sim.stats().byCompany[COMPANY].requests.searchPatients).toBeGreaterThan(0);
  });
});

describe('createAppointment', () => {
  it('books it, finds its id on the calendar (booked_by the integration), and a second call finds it instead of booking again', async () => {
    const b: NewPimsAppointment = { patientId, date: '2026-11-18', startTime: '09:30', durationMinutes: 30, typeId: 't1', roomId: 'r2', providerId: 'p2', reason: 'Vaccines' };
    const posts = sim.stats().requests.createAppointment;
    const r = await w.createAppointment(b);
    expect(r.created).toBe(true);
    const day = await session.getAppointments('2026-11-18', '2026-11-18');
    expect(day.appointments.filter((a) => a.patient?.id === patientId)).toEqual([
      expect.objectContaining({
        id: r.appointmentId,
        date: '2026-11-18',
        startTime: '09:30:00',
        endTime: '10:00:00',
        status: 'scheduled',
        type: 'Wellness Exam',
        reason: 'Vaccines',
        room: { id: 'r2', name: 'Exam 2' },
        provider: { id: 'p2', name: 'Dr. Chen' },
        client: expect.objectContaining({ id: clientId, lastName: 'Lopez' }),
      }),
    ]);
    expect(created().filter((a) => a.id === r.appointmentId)).toEqual([expect.objectContaining({ bookedBy: 'PIMS Sync', start: '2026-11-18T09:30', durationMinutes: 30 })]);

    expect(await w.createAppointment({ ...b, startTime: '09:30:00' })).toEqual({ appointmentId: r.appointmentId, created: false });
    expect(await w.findBookedAppointment(b)).toEqual({ appointmentId: r.appointmentId });
    expect(await w.findBookedAppointment({ ...b, startTime: '10:00' })).toBeNull();
    expect(await w.findBookedAppointment({ ...b, typeId: 't2' })).toBeNull();
    expect(sim.stats().requests.createAppointment - posts).toBe(1);
    expect(created().filter((a) => a.start === '2026-11-18T09:30')).toHaveLength(1);
  });

  it('tells two bookings of one patient in one slot apart by their reference', async () => {
    const b: NewPimsAppointment = { patientId, date: '2026-11-18', startTime: '14:00', durationMinutes: 15, reason: 'Nail trim' };
    const one = await w.createAppointment({ ...b, reference: 'ABC234' });
    const two = await w.createAppointment({ ...b, reference: 'XYZ789' });
    expect(one.created && two.created).toBe(true);
    expect(two.appointmentId).not.toBe(one.appointmentId);
    expect(await w.createAppointment({ ...b, reference: 'XYZ789' })).toEqual({ appointmentId: two.appointmentId, created: false });
    expect(created().filter((a) => a.start === '2026-11-18T14:00').map((a) => a.notes)).toEqual(['Online booking ref ABC234', 'Online booking ref XYZ789']);
  });

  it('commitThenFail on /appointments/create: 20 creates, every answer lost, exactly one appointment each, none sent twice', async () => {
    sim.setFaults({ commitThenFail: ['/appointments/create'] });
    const posts = sim.stats().requests.createAppointment;
    await bookAllAndCheck(bookings('2026-11-19', 20));
    expect(sim.stats().requests.createAppointment - posts).toBe(20);
  });

  it('errorRate 0.3 and a 429 now and then: 20 creates, exactly one appointment each', async () => {
    sim.setFaults({ errorRate: 0.3, rateLimitEvery: 9, seed: 14 });
    sim.resetStats();
    await bookAllAndCheck(bookings('2026-11-20', 20));
    const stats = sim.stats();
    expect(stats.errors).toBeGreaterThan(5);
    expect(stats.rateLimited).toBeGreaterThan(0);
  });

  it('commitThenFail and errorRate together, five creates at once: exactly one appointment each', async () => {
    sim.setFaults({ commitThenFail: ['/appointments/create'], errorRate: 0.3, seed: 3 });
    const list = bookings('2026-11-21', 10);
    const before = created().length;
    const results = await Promise.all([0, 1].map((half) => (async () => {
      const out: string[] = [];
      for (const b of list.filter((_, i) => i % 2 === half)) out.push((await w.createAppointment(b)).appointmentId);
      return out;
    })()));
    expect(created()).toHaveLength(before + 10);
    expect(new Set(results.flat()).size).toBe(10);
  });

  it('sessionTtlSeconds 2: 20 creates over several expiries, logging in again and reading the new token, exactly one each', async () => {
    sim.setFaults({ sessionTtlSeconds: 2, latencyMs: 60 });
    const relogins = session.stats().relogins;
    const started = Date.now();
    await bookAllAndCheck(bookings('2026-11-22', 20));
    expect(Date.now() - started).toBeGreaterThan(2_000);
    expect(session.stats().relogins).toBeGreaterThan(relogins);
  });

  it('a refused CSRF token: the sim answers 403 and writes nothing; the token is read again from a logged-in page and the write sent once more', async () => {
    (session as unknown as { info: { csrfToken: string | null } }).info.csrfToken = 'not-the-token';
    const mark = events.length;
    const r = await w.createAppointment({ patientId, date: '2026-11-23', startTime: '08:00', durationMinutes: 15, reason: 'Token test' });
    const mine = events.slice(mark).filter((e) => e.endpoint === 'createAppointment' || e.endpoint === 'dashboard');
    expect(mine.map((e) => [e.endpoint, e.status, e.outcome])).toEqual([
      ['createAppointment', 403, 'csrf'],
      ['dashboard', 200, 'ok'],
      ['createAppointment', 200, 'ok'],
    ]);
    expect(created().filter((a) => a.start === '2026-11-23T08:00')).toEqual([expect.objectContaining({ id: r.appointmentId })]);
  });

  it('ends in pims_unavailable when the create keeps failing, having written nothing', async () => {
    sim.setFaults({ failPaths: ['/appointments/create'] });
    const before = created().length;
    const err = await caught(w.createAppointment({ patientId, date: '2026-11-23', startTime: '12:00', durationMinutes: 15, reason: 'Never' }));
    expect(err).toMatchObject({ code: 'pims_unavailable', retryable: true });
    expect((err as Error).message).toContain('may or may not have been carried out');
    expect(created()).toHaveLength(before);
  });

  it('refuses what Neo refuses with typed errors', async () => {
    expect(await caught(w.createAppointment({ patientId: 'no-such-pet', date: '2026-11-23', startTime: '12:00', durationMinutes: 15, reason: 'x' }))).toMatchObject({ code: 'pims_not_found' });
    expect(await caught(w.createAppointment({ patientId, date: '2026-11-23', startTime: '12:00', durationMinutes: 15, roomId: 'r9', reason: 'x' }))).toMatchObject({ code: 'pims_bad_response', status: 502 });
    expect(await caught(w.createAppointment({ patientId, date: '2026-11-23', startTime: '25:00', durationMinutes: 15, reason: 'x' }))).toMatchObject({ code: 'invalid_input' });
    expect(await caught(w.createPatient({ clientId: 'no-such-owner', name: 'Rex' }))).toMatchObject({ code: 'pims_not_found' });
  });
});

describe('clients and patients under lost answers', () => {
  it('commitThenFail on /clients/create and /patients/create: one client and one patient, their ids answered', async () => {
    sim.setFaults({ commitThenFail: ['/clients/create', '/patients/create'] });
    const posts = sim.stats().requests;
    const c = await w.createClient({ firstName: 'Cleo', lastName: 'Park', phone: '+15557771234' });
    const p = await w.createPatient({ clientId: c.clientId, name: 'Pepper', species: 'Feline' });
    sim.setFaults({});
    const found = await w.findClients({ phone: '+15557771234' });
    expect(found).toEqual([expect.objectContaining({ clientId: c.clientId, patients: [expect.objectContaining({ patientId: p.patientId, name: 'Pepper', species: 'Feline' })] })]);
    const after = sim.stats().requests;
    expect(after.createClient - posts.createClient).toBe(1);
    expect(after.createPatient - posts.createPatient).toBe(1);
  });
});

describe('cancelAppointment', () => {
  it('cancels (the PIMS keeps it as cancelled with the reason), again is fine, a new booking of that slot books anew', async () => {
    const b: NewPimsAppointment = { patientId, date: '2026-11-24', startTime: '10:00', durationMinutes: 30, typeId: 't1', reason: 'Recheck' };
    const { appointmentId } = await w.createAppointment(b);
    sim.setFaults({ commitThenFail: ['/appointments/delete'] });
    await w.cancelAppointment(appointmentId, 'Owner called');
    sim.setFaults({});
    await w.cancelAppointment(appointmentId, 'Owner called');
    expect(sim.appointments(COMPANY).find((a) => a.id === appointmentId)).toMatchObject({ status: 'cancelled', cancelledReason: 'Owner called' });
    expect(await session.getAppointment(appointmentId)).toMatchObject({ status: 'cancelled' });
    expect(await w.findBookedAppointment(b)).toBeNull();
    const again = await w.createAppointment(b);
    expect(again.created).toBe(true);
    expect(again.appointmentId).not.toBe(appointmentId);
  });

  it('pims_not_found for an unknown appointment, pims_conflict for a visit that has finished', async () => {
    expect(await caught(w.cancelAppointment('A-404', 'x'))).toMatchObject({ code: 'pims_not_found', status: 404 });
    expect(await caught(w.cancelAppointment(`${COMPANY}-V06`, 'x'))).toMatchObject({ code: 'pims_conflict', status: 409 });
    expect(sim.appointments(COMPANY).find((a) => a.id === `${COMPANY}-V06`)).toMatchObject({ status: 'finalized' });
  });
});

describe('secrets', () => {
  it('never writes a password or a CSRF token into a log line or an error', () => {
    const everything = lines.join('\n') + errors.map(everythingOf).join('\n');
    expect(everything).not.toContain(KIRITIMATI.password);
    expect(everything).not.toMatch(/[0-9a-f]{40}/);
  });
});
