import { addDays, todayIn } from '@pims/util';
import {
  addMinutesLocal,
  addSecondsLocal,
  localNow,
  maxLocal,
  toClinicLocal,
  type LocalDateTime,
} from './local-time';
import type { ClinicScenario, ScenarioStatus, When } from './scenario';

/** The simulator's in-memory data, resolved from a scenario (all times clinic-local strings). */

export interface Patient {
  id: string;
  name: string;
  species: string | null;
  breed: string | null;
}

export interface Client {
  id: string;
  title: string | null;
  firstName: string;
  lastName: string;
  phone: string | null;
  email: string | null;
}

/** Where an appointment came from: the scenario (or the control API), or a write through Neo's endpoints. */
export type AppointmentOrigin = 'scenario' | 'created';

export interface Appointment {
  id: string;
  origin: AppointmentOrigin;
  start: LocalDateTime;
  end: LocalDateTime;
  durationMinutes: number;
  status: ScenarioStatus;
  type: string | null;
  reason: string | null;
  title: string | null;
  notes: string | null;
  providerId: string | null;
  roomId: string | null;
  patient: Patient | null;
  client: Client | null;
  consultationId: string | null;
  isBlock: boolean;
  isRoster: boolean;
  recurring: boolean;
  cancelledReason: string | null;
  bookedBy: string;
  bookedAt: LocalDateTime;
  updatedAt: LocalDateTime | null;
  arrivedAt: LocalDateTime | null;
  estimateId: string | null;
  malformed: 'missing_id' | 'missing_start' | null;
}

export interface ConsultationLine {
  id: string;
  productService: string;
  quantity: number;
  isDeclined: boolean;
}

export interface Consultation {
  id: string;
  status: string;
  reason: string | null;
  description: string | null;
  notes: string;
  dischargeSummary: string;
  diagnoses: string[];
  lines: ConsultationLine[];
  vitals: { weightKg?: number; temperatureC?: number; pulse?: number; respiration?: number } | null;
  updatedAt: LocalDateTime | null;
}

/** An entry of one of Neo's pick lists (species, breed, gender), as the patient form posts it. */
export interface PickListValue {
  id: string | null;
  name: string;
}

/** A client (owner) of the clinic's register: those of the scenario's appointments and those created. */
export interface ClientRecord {
  id: string;
  origin: AppointmentOrigin;
  title: string | null;
  firstName: string;
  lastName: string;
  homePhone: string | null;
  workPhone: string | null;
  mobilePhone: string | null;
  email: string | null;
  address1: string | null;
}

/** A patient of the clinic's register, with its owner's id. */
export interface PatientRecord {
  id: string;
  origin: AppointmentOrigin;
  name: string;
  species: PickListValue | null;
  breed: PickListValue | null;
  gender: PickListValue | null;
  dob: string | null;
  clientId: string | null;
}

export interface AppointmentType {
  id: string;
  name: string;
  duration: number;
  color: string;
}

export interface Clinic {
  companyId: string;
  name: string;
  username: string;
  password: string;
  timezone: string;
  mfa: boolean;
  showCompanyId: boolean;
  businessHours: { daysOfWeek: number[]; startTime: string; endTime: string }[];
  slotInterval: number;
  rooms: { id: string; name: string }[];
  providers: { id: string; name: string }[];
  appointmentTypes: AppointmentType[];
  appointments: Map<string, Appointment>;
  consultations: Map<string, Consultation>;
  /** The name Neo shows for the logged-in user; `booked_by` of appointments created through a session. */
  userDisplayName: string;
  clients: Map<string, ClientRecord>;
  patients: Map<string, PatientRecord>;
}

export const DEFAULT_USER_DISPLAY_NAME = 'PIMS Sync';

/** Neo's species list (ids as the patient form posts them); other names are kept with no id. */
export const SPECIES: readonly PickListValue[] = [
  { id: '1', name: 'Canine' },
  { id: '2', name: 'Feline' },
  { id: '3', name: 'Rabbit' },
  { id: '4', name: 'Guinea Pig' },
  { id: '5', name: 'Ferret' },
  { id: '6', name: 'Avian' },
  { id: '7', name: 'Reptile' },
  { id: '8', name: 'Equine' },
];

export function speciesValue(name: string | null): PickListValue | null {
  if (!name) return null;
  return SPECIES.find((s) => s.name.toLowerCase() === name.toLowerCase()) ?? { id: null, name };
}

/** Adds an appointment's owner and pet to the clinic's register when it does not know them yet. */
export function registerPeople(clinic: Clinic, a: Appointment): void {
  const cl = a.client;
  if (cl && !clinic.clients.has(cl.id)) {
    clinic.clients.set(cl.id, {
      id: cl.id,
      origin: a.origin,
      title: cl.title,
      firstName: cl.firstName,
      lastName: cl.lastName,
      homePhone: cl.phone,
      workPhone: null,
      mobilePhone: null,
      email: cl.email,
      address1: null,
    });
  }
  const p = a.patient;
  if (p && !clinic.patients.has(p.id)) {
    clinic.patients.set(p.id, {
      id: p.id,
      origin: a.origin,
      name: p.name,
      species: speciesValue(p.species),
      breed: p.breed ? { id: null, name: p.breed } : null,
      gender: null,
      dob: null,
      clientId: cl?.id ?? null,
    });
  }
}

/** The phone an appointment shows for a client of the register (mobile, else home, else work). */
export function primaryPhone(c: ClientRecord): string | null {
  return c.mobilePhone ?? c.homePhone ?? c.workPhone;
}

const TYPE_COLORS = [
  '#3a87ad',
  '#5cb85c',
  '#f0ad4e',
  '#d9534f',
  '#8e44ad',
  '#16a085',
  '#e67e22',
  '#2c3e50',
  '#c0392b',
  '#27ae60',
];
export const BLOCK_COLOR = '#9e9e9e';
export const ROSTER_COLOR = '#cfd8dc';

/** Resolves a `when` (local string, instant with offset, or {day, time}) in a clinic's zone. */
export function resolveWhen(value: When, zone: string, now: Date): LocalDateTime {
  if (typeof value === 'string') {
    const local = toClinicLocal(value, zone);
    if (!local) throw new Error(`Invalid date-time "${value}"`);
    return local;
  }
  return relativeLocal(value.day, value.time, zone, now);
}

export function relativeLocal(day: number, time: string, zone: string, now: Date): LocalDateTime {
  const date = addDays(todayIn(zone, { now: () => now }), day);
  return `${date} ${time.length === 5 ? `${time}:00` : time}`;
}

function arrivalDefault(status: ScenarioStatus, start: LocalDateTime): LocalDateTime | null {
  return ['arrived', 'in_progress', 'ready_to_pay', 'finalized'].includes(status)
    ? addMinutesLocal(start, -5)
    : null;
}

export function resolveAppointment(
  a: ClinicScenario['appointments'][number],
  zone: string,
  now: Date,
): Appointment {
  const start =
    a.start !== undefined ? toClinicLocal(a.start, zone)! : relativeLocal(a.day!, a.time!, zone, now);
  return {
    id: a.id,
    origin: 'scenario',
    start,
    end: addMinutesLocal(start, a.durationMinutes),
    durationMinutes: a.durationMinutes,
    status: a.status,
    type: a.type ?? null,
    reason: a.reason ?? null,
    title: a.title ?? null,
    notes: a.notes ?? null,
    providerId: a.providerId ?? null,
    roomId: a.roomId ?? null,
    patient: a.patient
      ? {
          id: a.patient.id,
          name: a.patient.name,
          species: a.patient.species ?? null,
          breed: a.patient.breed ?? null,
        }
      : null,
    client: a.client
      ? {
          id: a.client.id,
          title: a.client.title ?? null,
          firstName: a.client.firstName,
          lastName: a.client.lastName,
          phone: a.client.phone ?? null,
          email: a.client.email ?? null,
        }
      : null,
    consultationId: a.consultationId ?? null,
    isBlock: a.isBlock,
    isRoster: a.isRoster,
    recurring: a.recurring,
    cancelledReason:
      a.status === 'cancelled' ? (a.cancelledReason ?? 'Cancelled by client') : (a.cancelledReason ?? null),
    bookedBy: a.bookedBy ?? 'Front Desk',
    // Not given: booked a week before the visit (deterministic, so reloading a scenario changes nothing).
    bookedAt:
      a.bookedAt !== undefined ? resolveWhen(a.bookedAt, zone, now) : addMinutesLocal(start, -7 * 24 * 60),
    updatedAt: a.updatedAt !== undefined ? resolveWhen(a.updatedAt, zone, now) : null,
    arrivedAt:
      a.arrivedAt !== undefined ? resolveWhen(a.arrivedAt, zone, now) : arrivalDefault(a.status, start),
    estimateId: a.estimateId ?? null,
    malformed: a.malformed ?? null,
  };
}

export function resolveConsultation(
  k: ClinicScenario['consultations'][number],
  zone: string,
  now: Date,
): Consultation {
  return {
    id: k.id,
    status: k.status,
    reason: k.reason ?? null,
    description: k.description ?? null,
    notes: k.notes,
    dischargeSummary: k.dischargeSummary,
    diagnoses: [...k.diagnoses],
    lines: k.lines.map((l, i) => ({
      id: l.id ?? `${k.id}-L${i + 1}`,
      productService: l.productService,
      quantity: l.quantity,
      isDeclined: l.isDeclined,
    })),
    vitals: k.vitals ?? null,
    updatedAt: k.updatedAt !== undefined ? resolveWhen(k.updatedAt, zone, now) : null,
  };
}

/** Builds a clinic's data from its validated scenario; `day`/`time` resolve against `now`. */
export function resolveClinic(c: ClinicScenario, now: Date): Clinic {
  const zone = c.timezone;
  const appointments = new Map<string, Appointment>();
  for (const a of c.appointments) appointments.set(a.id, resolveAppointment(a, zone, now));
  const consultations = new Map<string, Consultation>();
  for (const k of c.consultations) consultations.set(k.id, resolveConsultation(k, zone, now));
  const clinic: Clinic = {
    companyId: c.companyId,
    name: c.name ?? `Clinic ${c.companyId}`,
    username: c.username,
    password: c.password,
    timezone: zone,
    mfa: c.mfa,
    showCompanyId: c.showCompanyId,
    businessHours: c.businessHours.map((b) => ({
      daysOfWeek: [...b.daysOfWeek],
      startTime: b.startTime.slice(0, 5),
      endTime: b.endTime,
    })),
    slotInterval: c.slotInterval,
    rooms: c.rooms.map((r) => ({ ...r })),
    providers: c.providers.map((p) => ({ ...p })),
    appointmentTypes: deriveTypes(c, appointments),
    appointments,
    consultations,
    userDisplayName: c.userDisplayName ?? DEFAULT_USER_DISPLAY_NAME,
    clients: new Map(),
    patients: new Map(),
  };
  for (const a of appointments.values()) registerPeople(clinic, a);
  return clinic;
}

/** The given appointment types, plus one for every other `type` name the appointments use. */
function deriveTypes(c: ClinicScenario, appointments: Map<string, Appointment>): AppointmentType[] {
  const out: AppointmentType[] = (c.appointmentTypes ?? []).map((t) => ({ ...t }));
  const known = new Set(out.map((t) => t.name.toLowerCase()));
  let n = out.length;
  for (const a of appointments.values()) {
    if (!a.type || a.isBlock || a.isRoster || known.has(a.type.toLowerCase())) continue;
    known.add(a.type.toLowerCase());
    n += 1;
    let id = `t${n}`;
    while (out.some((t) => t.id === id)) id = `${id}x`;
    out.push({
      id,
      name: a.type,
      duration: a.durationMinutes,
      color: TYPE_COLORS[(n - 1) % TYPE_COLORS.length],
    });
  }
  return out;
}

/** Neo's `last_updated_at`: the later of the appointment's own change (or booking) and its consultation's. */
export function lastUpdatedAt(clinic: Clinic, a: Appointment): LocalDateTime {
  const k = a.consultationId ? clinic.consultations.get(a.consultationId) : undefined;
  return maxLocal(a.updatedAt ?? a.bookedAt, k?.updatedAt ?? null)!;
}

/** A change time that is both "now" and strictly after the previous value, so a change is always visible. */
export function bumpTime(previous: LocalDateTime | null, now: Date, zone: string): LocalDateTime {
  const current = localNow(now, zone);
  if (previous && previous >= current) return addSecondsLocal(previous, 1);
  return current;
}

export function appointmentForConsultation(clinic: Clinic, consultationId: string): Appointment | undefined {
  for (const a of clinic.appointments.values()) if (a.consultationId === consultationId) return a;
  return undefined;
}
