import { AppError, formatLocalDateTime, instantOfLocal } from '@pims/util-core';
import { pimsAuthFailed, pimsNotFound } from '../errors';
import { isEzyvetCredentials, type PimsProvider, type PimsProviderName, type PimsSession, type PimsWritableSession } from '../provider';
import { type AppointmentStatus, type PimsAppointment, type PimsConsultation, type PimsScheduleConfig, PimsAppointment as PimsAppointmentSchema } from '../records';
import { FindClientsQuery, FindPatientsQuery, NewPimsAppointment, NewPimsClient, NewPimsPatient, type PimsClientMatch, type PimsPatientMatch, type PimsWriteSession } from '../writes';

/** One clinic as the fake PIMS holds it; a log-in with its username and password reaches it. */
export interface FakeClinicData {
  username: string;
  password: string;
  appointments: PimsAppointment[];
  consultations?: PimsConsultation[];
  scheduleConfig?: PimsScheduleConfig;
  /** Reported as `skipped` / `excluded` by every getAppointments (what a real PIMS would have left out). */
  skipped?: number;
  /** Reported as `skippedIds` by every getAppointments (the ids of those unreadable records that had one). */
  skippedIds?: string[];
  excluded?: number;
}

export interface FakePimsProviderOptions {
  /** The name it registers under (default 'ezyvet'). */
  name?: PimsProviderName;
  clinics?: FakeClinicData[];
  /** Whether sessions have the write side (default true). */
  writes?: boolean;
  /** Each session call answers after this many milliseconds (default 0), so calls overlap as real ones do. */
  latencyMs?: number;
}

type Method = 'authenticate' | 'getAppointments' | 'getAppointment' | 'getConsultation' | 'getScheduleConfig' | keyof PimsWriteSession;

export interface FakePimsProvider extends PimsProvider {
  /** Adds a clinic or replaces the one with the same username. */
  setClinic(data: FakeClinicData): void;
  /** The live data of a clinic (change it to make the PIMS change). */
  clinic(username: string): FakeClinicData;
  /** Calls per method, across sessions. */
  readonly calls: Record<Method, number>;
  /** Makes the next `times` calls of a method throw `error`. */
  failNext(method: Method, error: Error, times?: number): void;
  openSessions(): number;
}

const DEFAULT_CONFIG: PimsScheduleConfig = {
  slotIntervalMinutes: 30,
  businessHours: [{ daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' }],
  rooms: [
    { id: 'room-1', name: 'Exam 1' },
    { id: 'room-2', name: 'Exam 2' },
  ],
  providers: [{ id: 'vet-1', name: 'Dr. Fake' }],
};

/** A normalized appointment at a clinic-local date and time (instants computed in `timezone`). */
export function fakeAppointment(
  input: { id: string; date: string; time: string; timezone: string; durationMinutes?: number; status?: AppointmentStatus } & Partial<Omit<PimsAppointment, 'id' | 'date' | 'status'>>,
): PimsAppointment {
  const { id, date, time, timezone, durationMinutes = 30, status = 'scheduled', ...rest } = input;
  const start = instantOfLocal(date, time, timezone);
  if (!start) throw new Error(`${date} ${time} does not exist in ${timezone}`);
  const end = new Date(start.getTime() + durationMinutes * 60_000);
  const [endDate, endTime] = formatLocalDateTime(end, timezone).split(' ');
  return PimsAppointmentSchema.parse({
    id,
    date,
    startTime: time.length === 5 ? `${time}:00` : time,
    endDate,
    endTime,
    startAt: start.toISOString(),
    endAt: end.toISOString(),
    status,
    rawStatus: status,
    type: 'Exam',
    reason: 'Check-up',
    consultationId: null,
    provider: { id: 'vet-1', name: 'Dr. Fake' },
    room: { id: 'room-1', name: 'Exam 1' },
    patient: { id: `pet-${id}`, name: `Pet ${id}`, species: 'Canine', breed: 'Mixed' },
    client: { id: `owner-${id}`, firstName: 'Sam', lastName: 'Owner', phone: '+15550000000', email: 'sam@example.com' },
    lastUpdatedAt: null,
    ...rest,
  });
}

/** A consultation with plausible defaults. */
export function fakeConsultation(id: string, overrides: Partial<PimsConsultation> = {}): PimsConsultation {
  return { id, status: 'Completed', notes: `Notes of ${id}`, dischargeSummary: `Summary of ${id}`, diagnoses: [], products: [], reason: null, date: null, ...overrides };
}

const copy = <T>(v: T): T => structuredClone(v);

/** What the fake PIMS keeps of a clinic besides its calendar: owners, pets, and what it booked itself. */
interface FakeRegistry {
  people: Map<string, PimsPatientMatch['client']>;
  pets: Map<string, PimsPatientMatch>;
  /** Appointments booked through the write side (the fake's "booked_by this integration"). */
  created: Set<string>;
  references: Map<string, string>;
}
const registries = new WeakMap<FakeClinicData, FakeRegistry>();
function registryOf(clinic: FakeClinicData): FakeRegistry {
  let r = registries.get(clinic);
  if (!r) {
    r = { people: new Map(), pets: new Map(), created: new Set(), references: new Map() };
    registries.set(clinic, r);
  }
  return r;
}

function parsed<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError('invalid_input', r.error.message, { status: 400 });
  return r.data;
}

/**
 * An in-memory PIMS provider for tests of the port's users: no browser, no network. It keeps
 * clinics by username, checks the password, answers the read side from its data, and (unless
 * `writes: false`) books, creates and cancels in that same data, so a later read sees the write.
 */
export function createFakePimsProvider(opts: FakePimsProviderOptions = {}): FakePimsProvider {
  const name = opts.name ?? 'ezyvet';
  const clinics = new Map<string, FakeClinicData>();
  for (const c of opts.clinics ?? []) clinics.set(c.username, c);
  const calls = Object.fromEntries(
    ['authenticate', 'getAppointments', 'getAppointment', 'getConsultation', 'getScheduleConfig', 'findPatients', 'findClients', 'createClient', 'createPatient', 'createAppointment', 'findBookedAppointment', 'cancelAppointment'].map((m) => [m, 0]),
  ) as Record<Method, number>;
  const faults = new Map<Method, { error: Error; times: number }>();
  const open = new Set<PimsSession>();
  let nextId = 1;
  let closed = false;

  const call = (method: Method) => {
    calls[method] += 1;
    const f = faults.get(method);
    if (f && f.times > 0) {
      f.times -= 1;
      throw f.error;
    }
  };

  const sessionFor = (clinic: FakeClinicData, timezone: string): PimsSession => {
    let ended = false;
    const check = async (method: Method, signal?: AbortSignal) => {
      if (ended || closed) throw new AppError('pims_session_closed', `The ${name} session has been closed`, { status: 503 });
      if (signal?.aborted) throw new AppError('cancelled', 'Cancelled', { status: 499 });
      call(method);
      if (opts.latencyMs) await new Promise((resolve) => setTimeout(resolve, opts.latencyMs));
    };
    // Owners and pets: those of the calendar plus those created through the write side (kept per clinic).
    const reg = registryOf(clinic);
    const { people, pets } = reg;
    const known = () => {
      for (const a of clinic.appointments) {
        if (!a.patient?.id || !a.client?.id) continue;
        const client = { clientId: a.client.id, firstName: a.client.firstName, lastName: a.client.lastName, phone: a.client.phone, email: a.client.email };
        if (!people.has(client.clientId)) people.set(client.clientId, client);
        if (!pets.has(a.patient.id)) pets.set(a.patient.id, { patientId: a.patient.id, name: a.patient.name, species: a.patient.species, breed: a.patient.breed, client });
      }
    };
    const digits = (s: string | null | undefined) => (s ?? '').replace(/\D/g, '');
    const lower = (s: string | null | undefined) => (s ?? '').toLowerCase();
    const samePhone = (a: string | null | undefined, b: string) => digits(a) !== '' && digits(a).slice(-10) === digits(b).slice(-10);
    /** The live appointment this provider booked with these details (what a repeated create finds). */
    const booked = (a: NewPimsAppointment): PimsAppointment | undefined =>
      clinic.appointments.find(
        (x) =>
          reg.created.has(x.id) &&
          x.status !== 'cancelled' &&
          x.status !== 'no_show' &&
          x.patient?.id === a.patientId &&
          x.date === a.date &&
          x.startTime.slice(0, 5) === a.startTime.slice(0, 5) &&
          (a.typeId === undefined || x.type === a.typeId) &&
          (a.reference === undefined || reg.references.get(x.id) === a.reference),
      );
    const writes: PimsWriteSession = {
      async findPatients(query, o) {
        await check('findPatients', o?.signal);
        const q = parsed(FindPatientsQuery, query);
        known();
        return copy(
          [...pets.values()].filter(
            (p) =>
              (q.phone !== undefined && digits(p.client.phone) !== '' && digits(p.client.phone).endsWith(digits(q.phone).slice(-10))) ||
              (q.email !== undefined && lower(p.client.email) === lower(q.email)) ||
              (q.name !== undefined && [p.name, p.client.firstName, p.client.lastName].some((n) => lower(n).includes(lower(q.name)))),
          ),
        );
      },
      async findClients(query, o) {
        await check('findClients', o?.signal);
        const q = parsed(FindClientsQuery, query);
        known();
        const found: PimsClientMatch[] = [];
        for (const c of people.values()) {
          const hit =
            (q.phone !== undefined && samePhone(c.phone, q.phone)) ||
            (q.email !== undefined && c.email !== null && lower(c.email) === lower(q.email)) ||
            (q.name !== undefined && [c.firstName, c.lastName].some((n) => lower(n).includes(lower(q.name))));
          if (!hit) continue;
          const patients = [...pets.values()].filter((p) => p.client.clientId === c.clientId).map((p) => ({ patientId: p.patientId, name: p.name, species: p.species, breed: p.breed }));
          found.push({ clientId: c.clientId, firstName: c.firstName, lastName: c.lastName, phone: c.phone, phones: c.phone ? [c.phone] : [], email: c.email, patients });
        }
        return copy(found);
      },
      async createClient(input, o) {
        await check('createClient', o?.signal);
        const c = parsed(NewPimsClient, input);
        const clientId = `${name}-client-${nextId++}`;
        people.set(clientId, { clientId, firstName: c.firstName, lastName: c.lastName, phone: c.phone ?? null, email: c.email ?? null });
        return { clientId };
      },
      async createPatient(input, o) {
        await check('createPatient', o?.signal);
        const p = parsed(NewPimsPatient, input);
        known();
        const client = people.get(p.clientId);
        if (!client) throw pimsNotFound(`The ${name} PIMS has no client ${p.clientId}`);
        const patientId = `${name}-patient-${nextId++}`;
        pets.set(patientId, { patientId, name: p.name, species: p.species ?? null, breed: p.breed ?? null, client });
        return { patientId };
      },
      async createAppointment(input, o) {
        await check('createAppointment', o?.signal);
        const a = parsed(NewPimsAppointment, input);
        known();
        const pet = pets.get(a.patientId);
        if (!pet) throw pimsNotFound(`The ${name} PIMS has no patient ${a.patientId}`);
        const existing = booked(a);
        if (existing) return { appointmentId: existing.id, created: false };
        const appointmentId = `${name}-appt-${nextId++}`;
        reg.created.add(appointmentId);
        if (a.reference !== undefined) reg.references.set(appointmentId, a.reference);
        const config = clinic.scheduleConfig ?? DEFAULT_CONFIG;
        const room = a.roomId ? config.rooms.find((r) => r.id === a.roomId) : undefined;
        const vet = a.providerId ? config.providers.find((p) => p.id === a.providerId) : undefined;
        clinic.appointments.push(
          fakeAppointment({
            id: appointmentId,
            date: a.date,
            time: a.startTime.slice(0, 5),
            timezone,
            durationMinutes: a.durationMinutes,
            reason: a.reason,
            type: a.typeId ?? null,
            room: a.roomId ? { id: a.roomId, name: room?.name ?? null } : null,
            provider: a.providerId ? { id: a.providerId, name: vet?.name ?? null } : null,
            patient: { id: pet.patientId, name: pet.name, species: pet.species, breed: pet.breed },
            client: { id: pet.client.clientId, firstName: pet.client.firstName, lastName: pet.client.lastName, phone: pet.client.phone, email: pet.client.email },
          }),
        );
        return { appointmentId, created: true };
      },
      async findBookedAppointment(input, o) {
        await check('findBookedAppointment', o?.signal);
        const a = parsed(NewPimsAppointment, input);
        const existing = booked(a);
        return existing ? { appointmentId: existing.id } : null;
      },
      async cancelAppointment(appointmentId, reason, o) {
        await check('cancelAppointment', o?.signal);
        const a = clinic.appointments.find((x) => x.id === appointmentId);
        if (!a) throw pimsNotFound(`The ${name} PIMS has no appointment ${appointmentId}`);
        a.status = 'cancelled';
        a.rawStatus = `cancelled: ${reason}`;
      },
    };
    const session: PimsSession = {
      async getAppointments(from, to, o) {
        await check('getAppointments', o?.signal);
        const appointments = clinic.appointments
          .filter((a) => a.date >= from && a.date <= to)
          .sort((x, y) => (x.startAt < y.startAt ? -1 : x.startAt > y.startAt ? 1 : x.id < y.id ? -1 : 1));
        return {
          appointments: copy(appointments),
          skipped: clinic.skipped ?? 0,
          ...(clinic.skippedIds ? { skippedIds: [...clinic.skippedIds] } : {}),
          excluded: clinic.excluded ?? 0,
        };
      },
      async getAppointment(id, o) {
        await check('getAppointment', o?.signal);
        const a = clinic.appointments.find((x) => x.id === id);
        return a ? copy(a) : null;
      },
      async getConsultation(id, o) {
        await check('getConsultation', o?.signal);
        const k = (clinic.consultations ?? []).find((x) => x.id === id);
        return k ? copy(k) : null;
      },
      async getScheduleConfig(o) {
        await check('getScheduleConfig', o?.signal);
        return copy(clinic.scheduleConfig ?? DEFAULT_CONFIG);
      },
      async close() {
        ended = true;
        open.delete(session);
      },
    };
    if (opts.writes === false) return session;
    const writable: PimsWritableSession = Object.assign(session, { writes });
    return writable;
  };

  return {
    name,
    calls,
    async authenticate(credentials, sessionOpts) {
      if (closed) throw new AppError('pims_provider_closed', `The ${name} provider has been closed`, { status: 503 });
      call('authenticate');
      const [user, secret] = isEzyvetCredentials(credentials) ? [credentials.clientId, credentials.clientSecret] : [credentials.username, credentials.password];
      const clinic = clinics.get(user);
      if (!clinic || clinic.password !== secret) throw pimsAuthFailed(`The ${name} PIMS refused the log-in of ${user}`);
      const session = sessionFor(clinic, sessionOpts.timezone);
      open.add(session);
      return session;
    },
    setClinic(data) {
      clinics.set(data.username, data);
    },
    clinic(username) {
      const c = clinics.get(username);
      if (!c) throw new Error(`No fake clinic ${username}`);
      return c;
    },
    failNext(method, error, times = 1) {
      faults.set(method, { error, times });
    },
    openSessions: () => open.size,
    async close() {
      closed = true;
      open.clear();
    },
  };
}
