// The ezyVet write side against the real simulator: searches, contact / animal create, bookings
// through /ezycab/booking exactly once under every fault (lost answers, errors, 429s, expiring
// tokens), finding our booking again, cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEzyvetSimulator, type EzyvetSimulator, type SimAppointment } from '@pims/ezyvet-sim';
import { isPimsError, type NewPimsAppointment, type PimsWriteSession } from '@pims/pims';
import { createEzyvetProvider, type EzyvetProvider } from './index';
import type { EzyvetSession } from './session';
import { NOW, clinic, credentialsOf, dayFromNow, recordingLogger, type TestClinic } from './testing/fixtures';

const C: TestClinic = { companyId: 'ez-writes', password: 'Writes-Secret-2026!', timezone: 'Pacific/Kiritimati' };
const RETRY = { retries: 8, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 100 };
const OWNER = { firstName: 'Ana', lastName: 'Lopez', phone: '+1 (555) 123-0000', email: 'Ana.Lopez@Example.com' };

let sim: EzyvetSimulator;
let provider: EzyvetProvider;
let session: EzyvetSession;
let w: PimsWriteSession;
let clientId: string;
let patientId: string;
let typeId: string;
let roomId: string;
let providerId: string;
const { logger, lines } = recordingLogger();

function created(): SimAppointment[] {
  return sim.appointments(C.companyId).filter((a) => a.origin === 'created');
}

/** n bookings of the patient on one day, 15 minutes apart from 08:00. */
function bookings(date: string, n: number, extra: Partial<NewPimsAppointment> = {}): NewPimsAppointment[] {
  return Array.from({ length: n }, (_, i) => {
    const minutes = 8 * 60 + 15 * i;
    const startTime = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    return { patientId, date, startTime, durationMinutes: 15, typeId, roomId, providerId, reason: `Booking ${i + 1}`, reference: `REF${date.slice(8)}${i}`, ...extra };
  });
}

/** Books each in turn; then exactly one appointment per booking is in ezyVet, with the id each call answered. */
async function bookAllAndCheck(list: NewPimsAppointment[]): Promise<void> {
  const before = created().length;
  const ids: string[] = [];
  for (const b of list) {
    const r = await w.createAppointment(b);
    expect(r.created).toBe(true);
    ids.push(r.appointmentId);
  }
  expect(created()).toHaveLength(before + list.length);
  expect(new Set(ids).size).toBe(list.length);
  for (const [i, b] of list.entries()) {
    const a = created().find((x) => x.id === ids[i])!;
    expect(a).toMatchObject({ start: `${b.date}T${b.startTime}`, durationMinutes: 15, status: 'not_arrived', patient: { id: patientId } });
    expect(a.reason).toContain(b.reason);
  }
}

beforeAll(async () => {
  const data = clinic(C, { visitsPerDay: 4, daysBack: 3, daysForward: 3 });
  sim = await startEzyvetSimulator({ scenario: { clinics: [data] }, now: NOW, rateLimitPerMinute: 0, rateLimitPerClinicPerMinute: 0 });
  provider = createEzyvetProvider({ logger, retry: RETRY, rateLimit: { perEndpointPerMinute: 100_000, perClinicPerMinute: 100_000 } });
  session = await provider.authenticate(credentialsOf(C, sim.url), { timezone: C.timezone });
  w = session.writes;
  const config = await session.getScheduleConfig();
  typeId = config.appointmentTypes![0].id;
  roomId = config.rooms[0].id;
  providerId = config.providers[0].id;
  ({ clientId } = await w.createClient(OWNER));
  ({ patientId } = await w.createPatient({ clientId, name: 'Biscuit', species: 'Canine', breed: 'Beagle' }));
});

afterAll(async () => {
  await provider?.close();
  await sim?.close();
  for (const l of lines) expect(l).not.toContain(C.password);
});

describe('searches', () => {
  it('finds the client by phone in another format, by email, and by name, with its patient', async () => {
    for (const q of [{ phone: '555-123-0000' }, { phone: '+15551230000' }, { email: OWNER.email }, { name: 'Lopez' }]) {
      const found = await w.findClients(q);
      const me = found.find((c) => c.clientId === clientId);
      expect(me, JSON.stringify(q)).toMatchObject({ firstName: 'Ana', lastName: 'Lopez', phone: OWNER.phone, phones: [OWNER.phone], email: OWNER.email });
      expect(me!.patients).toEqual([{ patientId, name: 'Biscuit', species: 'Canine', breed: 'Beagle' }]);
    }
    expect(await w.findClients({ phone: '555-999-0000' })).toEqual([]);
    // ezyVet's filters are case-sensitive: an email stored in lower case is found however it is asked for.
    const { clientId: lowerCase } = await w.createClient({ firstName: 'Cleo', lastName: 'Ng', email: 'cleo.ng@example.com' });
    expect((await w.findClients({ email: 'Cleo.Ng@EXAMPLE.com' })).map((c) => c.clientId)).toEqual([lowerCase]);
    expect(await w.findClients({ email: 'nobody@example.com' })).toEqual([]);
  });

  it('finds the patient by its name and by its owner', async () => {
    const byName = await w.findPatients({ name: 'Biscuit' });
    expect(byName.find((p) => p.patientId === patientId)).toMatchObject({ name: 'Biscuit', client: { clientId, firstName: 'Ana' } });
    expect((await w.findPatients({ phone: OWNER.phone })).map((p) => p.patientId)).toEqual([patientId]);
  });

  it('refuses an empty search as invalid_input', async () => {
    await expect(w.findClients({})).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('bookings', () => {
  it('books through /ezycab/booking: the appointment at the clinic-local time, read back by the calendar, found again by its reference', async () => {
    const date = dayFromNow(C.timezone, 2);
    const [b] = bookings(date, 1);
    sim.resetStats();
    const r = await w.createAppointment(b);
    expect(r.created).toBe(true);
    expect(sim.stats().requests.booking).toBe(1);
    const a = (await session.getAppointments(date, date)).appointments.find((x) => x.id === r.appointmentId)!;
    expect(a).toMatchObject({ date, startTime: '08:00:00', endTime: '08:15:00', status: 'scheduled', reason: 'Booking 1', patient: { id: patientId }, client: { id: clientId } });
    expect(a.consultationId).not.toBeNull();
    expect(await w.findBookedAppointment(b)).toEqual({ appointmentId: r.appointmentId });
    expect(await w.findBookedAppointment({ ...b, reference: 'OTHER' })).toBeNull();
    // The same booking again writes nothing.
    expect(await w.createAppointment(b)).toEqual({ appointmentId: r.appointmentId, created: false });
    expect(sim.stats().requests.booking).toBe(1);
  });

  it('writes exactly one appointment per booking when every answer to the booking is lost (commitThenFail)', async () => {
    sim.setFaults({ commitThenFail: ['ezycab/booking'] });
    try {
      await bookAllAndCheck(bookings(dayFromNow(C.timezone, 3), 4));
    } finally {
      sim.setFaults({});
    }
  });

  it('writes exactly one appointment per booking under errors, 429s and tokens that expire', async () => {
    sim.setFaults({ errorRate: 0.3, rateLimitEvery: 4, sessionTtlSeconds: 0.5, commitThenFail: ['ezycab/booking', 'contact'], seed: 3 });
    try {
      await bookAllAndCheck(bookings(dayFromNow(C.timezone, 4), 6));
      // A new client and patient under the same faults: one of each.
      const { clientId: c2 } = await w.createClient({ firstName: 'Ben', lastName: 'Okafor', phone: '+15557770000' });
      const { patientId: p2 } = await w.createPatient({ clientId: c2, name: 'Moss' });
      sim.setFaults({});
      const bens = (await w.findClients({ name: 'Okafor' })).filter((c) => c.lastName === 'Okafor');
      expect(bens).toHaveLength(1);
      expect(bens[0]).toMatchObject({ clientId: c2, phones: ['+15557770000'], patients: [{ patientId: p2, name: 'Moss' }] });
    } finally {
      sim.setFaults({});
    }
  });

  it('refuses a booking for an animal ezyVet does not have as pims_not_found, and bad input as invalid_input', async () => {
    const [b] = bookings(dayFromNow(C.timezone, 5), 1);
    await expect(w.createAppointment({ ...b, patientId: 'NO-SUCH-ANIMAL' })).rejects.toMatchObject({ code: 'pims_not_found' });
    await expect(w.createAppointment({ ...b, startTime: '25:00' })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('cancel', () => {
  it('cancels (kept as cancelled with the reason), succeeds again, and is no longer found as booked', async () => {
    const [b] = bookings(dayFromNow(C.timezone, 6), 1);
    const { appointmentId } = await w.createAppointment(b);
    sim.setFaults({ commitThenFail: ['/v2/appointment/'] });
    await w.cancelAppointment(appointmentId, 'Owner called');
    sim.setFaults({});
    await w.cancelAppointment(appointmentId, 'Owner called');
    const a = created().find((x) => x.id === appointmentId)!;
    expect(a.status).toBe('cancelled');
    expect(await w.findBookedAppointment(b)).toBeNull();
    expect((await session.getAppointment(appointmentId))?.status).toBe('cancelled');
    // A booking again after the cancel is a new appointment.
    const again = await w.createAppointment(b);
    expect(again.created).toBe(true);
    expect(again.appointmentId).not.toBe(appointmentId);
  });

  it('refuses to cancel an appointment ezyVet does not have, and one that is finished', async () => {
    const err = await w.cancelAppointment('NO-SUCH-APPT', 'x').catch((e: unknown) => e);
    expect(isPimsError(err, 'pims_not_found')).toBe(true);
    const finished = sim.appointments(C.companyId).find((a) => a.status === 'finalized')!;
    await expect(w.cancelAppointment(finished.id, 'x')).rejects.toMatchObject({ code: 'pims_conflict' });
  });
});
