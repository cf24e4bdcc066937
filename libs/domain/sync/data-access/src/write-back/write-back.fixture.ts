// Test helpers for the write-back files (not part of the package surface): the booking fixture's
// PostgreSQL and clinics, an in-memory PIMS (the port's fake) under 'idexx_neo' holding each clinic
// by the credentials it was created with, a queue that records the jobs sent, and a provider
// wrapper that injects faults around the fake's writes (before the write, or after it: a lost answer).
import { createPimsRegistry, isEzyvetCredentials, pimsUnavailable, type PimsProvider, type PimsSession, type PimsWriteSession } from '@pims/pims';
import { createFakePimsProvider, fakeAppointment, type FakeClinicData, type FakePimsProvider } from '@pims/pims/testing';
import { addDays, systemClock, todayIn } from '@pims/util';
import type { BookingView } from '@pims/sync-contracts';
import { createBookingFixture, type BookingFixture, type FixtureClinic } from '../bookings/booking.fixture';
import type { BookingService, BookInput } from '../bookings/booking.service';
import { WriteBackService, type WriteBackJob, type WriteBackResult, type WriteBackServiceOptions } from './write-back.service';

export const TZ = 'America/New_York';
export const PASSWORD = 'Pass-2026!';

type WriteMethod = keyof PimsWriteSession;

/** Faults around the fake's writes: `before` throws instead of writing, `after` writes then throws (the answer lost). */
export interface Faults {
  before?: (method: WriteMethod) => Error | undefined;
  after?: (method: WriteMethod) => Error | undefined;
  /** Awaited before each call of the method goes to the fake (a test holds a write in flight). */
  gate?: (method: WriteMethod) => Promise<void> | undefined;
}

/**
 * A provider whose sessions' writes go through `faults` first (reads untouched). `overlaps` counts
 * createAppointment calls for one booking (one reference) that ran at the same time as another:
 * the port leaves serializing them to its caller.
 */
export function faultyProvider(inner: PimsProvider, faults: Faults): PimsProvider & { overlaps: () => number } {
  const inFlight = new Map<string, number>();
  let overlaps = 0;
  const wrap = (s: PimsSession): PimsSession => {
    if (!s.writes) return s;
    const w = s.writes;
    const writes = Object.fromEntries(
      (Object.keys(w) as WriteMethod[]).map((m) => [
        m,
        async (...args: unknown[]) => {
          const ref = m === 'createAppointment' ? String((args[0] as { reference?: string }).reference) : null;
          if (ref !== null) {
            if ((inFlight.get(ref) ?? 0) > 0) overlaps++;
            inFlight.set(ref, (inFlight.get(ref) ?? 0) + 1);
          }
          try {
            await faults.gate?.(m);
            const before = faults.before?.(m);
            if (before) throw before;
            const out = await (w[m] as (...a: unknown[]) => Promise<unknown>)(...args);
            const after = faults.after?.(m);
            if (after) throw after;
            return out;
          } finally {
            if (ref !== null) inFlight.set(ref, inFlight.get(ref)! - 1);
          }
        },
      ]),
    ) as unknown as PimsWriteSession;
    return Object.assign(Object.create(s) as PimsSession, { writes, close: () => s.close() });
  };
  return {
    name: inner.name,
    authenticate: async (c, o) => wrap(await inner.authenticate(c, o)),
    close: () => inner.close(),
    overlaps: () => overlaps,
  };
}

export const lostAnswer = () => pimsUnavailable('IDEXX Neo did not answer (the write may have happened)');

/** Records the jobs sent (as the app's pg-boss would hold them). */
export class RecordingQueue {
  readonly sent: WriteBackJob[] = [];
  readonly queue = { send: async (_tx: unknown, job: WriteBackJob) => void this.sent.push(job) };
}

export interface WriteBackFixture {
  f: BookingFixture;
  fake: FakePimsProvider;
  jobs: RecordingQueue;
  /** Tomorrow in the clinic's zone (every slot of it is in the future). */
  day: string;
  writeBack(opts?: Partial<WriteBackServiceOptions> & { provider?: PimsProvider }): WriteBackService;
  bookings(writeBack: WriteBackService): BookingService;
  /** A clinic (slots day .. day+3) and its fake PIMS data (a calendar of `appointments`). */
  addClinic(c?: Partial<FixtureClinic> & { appointments?: FakeClinicData['appointments']; scheduleConfig?: FakeClinicData['scheduleConfig'] }): Promise<{ clinicId: string; pims: FakeClinicData }>;
  /**
   * Delivers every job sent (and again those that asked for a retry or were busy) until none is
   * left: what the queue's workers do, without the backoff. Returns each booking's last result.
   */
  drain(writeBack: WriteBackService, rounds?: number): Promise<Map<string, WriteBackResult>>;
  close(): Promise<void>;
}

export async function createWriteBackFixture(): Promise<WriteBackFixture> {
  const f = await createBookingFixture();
  const fake = createFakePimsProvider({ name: 'idexx_neo' });
  const jobs = new RecordingQueue();
  const day = addDays(todayIn(TZ, systemClock), 1);
  const services: WriteBackService[] = [];
  return {
    f,
    fake,
    jobs,
    day,
    writeBack(opts = {}) {
      const { provider, ...rest } = opts;
      const s = new WriteBackService({ pool: f.db.pool, registry: createPimsRegistry([provider ?? fake]), clinics: f.clinics, queue: jobs.queue, ...rest });
      services.push(s);
      return s;
    },
    bookings: (writeBack) => f.service({ hooks: writeBack.hooks }),
    async addClinic(c = {}) {
      const { appointments = [], scheduleConfig, ...clinic } = c;
      const clinicId = await f.addClinic({ timezone: TZ, from: day, to: addDays(day, 3), capacity: 2, ...clinic });
      const creds = await f.clinics.getCredentials(clinicId);
      if (!creds || isEzyvetCredentials(creds)) throw new Error('the write-back fixture registers IDEXX Neo clinics');
      const pims: FakeClinicData = { username: creds.username, password: creds.password, appointments, ...(scheduleConfig ? { scheduleConfig } : {}) };
      fake.setClinic(pims);
      return { clinicId, pims };
    },
    async drain(writeBack, rounds = 40) {
      const last = new Map<string, WriteBackResult>();
      let again = new Set<string>();
      for (let i = 0; i < rounds; i++) {
        const ids = new Set([...again, ...jobs.sent.splice(0).map((j) => j.bookingId)]);
        if (ids.size === 0) return last;
        again = new Set();
        for (const id of ids) {
          const r = await writeBack.process(id);
          last.set(id, r);
          if (r.kind === 'retry' || r.kind === 'busy') again.add(id);
        }
      }
      throw new Error(`Jobs still asking for retries after ${rounds} rounds`);
    },
    async close() {
      await fake.close();
      await f.close();
    },
  };
}

/** A booking request for a slot. */
export function bookingRequest(clinicId: string, slotId: string, more: Partial<BookInput> = {}): BookInput {
  return {
    clinicId,
    slotId,
    client: { firstName: 'Ana', lastName: 'Lopez', phone: '(555) 123-4567', email: 'ana@example.com' },
    patient: { name: 'Biscuit', species: 'Canine' },
    reason: 'Annual vaccines',
    ...more,
  };
}

/** A front-desk appointment in the fake PIMS (another client, another pet). */
export function frontDesk(id: string, date: string, time: string, more: Partial<Parameters<typeof fakeAppointment>[0]> = {}) {
  return fakeAppointment({
    id,
    date,
    time,
    timezone: TZ,
    patient: { id: `pet-${id}`, name: `Desk pet ${id}`, species: 'Feline', breed: null },
    client: { id: `owner-${id}`, firstName: 'Desk', lastName: `Client ${id}`, phone: `+1555999${id.replace(/\D/g, '').padStart(4, '0').slice(-4)}`, email: null },
    ...more,
  });
}

/** The fake PIMS's live appointments of a booking: its date, start and patient name. */
export function appointmentsOf(pims: FakeClinicData, booking: BookingView) {
  const name = (booking.patient as { name?: string } | null)?.name;
  return pims.appointments.filter((a) => a.date === booking.date && a.startTime.slice(0, 5) === booking.startTime && a.patient?.name === name && a.status !== 'cancelled' && a.status !== 'no_show');
}
