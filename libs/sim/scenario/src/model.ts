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

/**
 * A clinic's data resolved from its scenario, the same for every PIMS simulator (all times
 * clinic-local strings). Each simulator renders it into its PIMS's words and may add its own
 * registers (Neo's client and patient lists, ezyVet's contacts and animals).
 */

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

/** Where an appointment came from: the scenario (or the control API), or a write through the PIMS's endpoints. */
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

export interface AppointmentType {
  id: string;
  name: string;
  duration: number;
  color: string;
}

/** The PIMS-neutral part of a loaded clinic. */
export interface ScenarioClinic {
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
  /** The name the PIMS shows for the API user; who booked the appointments created through the PIMS's writes. */
  userDisplayName: string;
}

export const DEFAULT_USER_DISPLAY_NAME = 'PIMS Sync';

/** The statuses at which a patient has arrived (an arrival time is set). */
export const ARRIVED_STATUSES: readonly ScenarioStatus[] = [
  'arrived',
  'in_progress',
  'ready_to_pay',
  'finalized',
];

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

/** Resolves a `when` (local string, instant with offset, or {day, time}) in a clinic's zone. */
export function resolveWhen(value: When, zone: string, now: Date): LocalDateTime {
  if (typeof value === 'string') {
    const local = toClinicLocal(value, zone);
    if (!local) throw new Error(`Invalid date-time "${value}"`);
    return local;
  }
  return relativeLocal(value.day, value.time, zone, now);
}

/** `day` days from the simulator's today in the zone, at `time` (HH:MM[:SS]). */
export function relativeLocal(day: number, time: string, zone: string, now: Date): LocalDateTime {
  const date = addDays(todayIn(zone, { now: () => now }), day);
  return `${date} ${time.length === 5 ? `${time}:00` : time}`;
}

function arrivalDefault(status: ScenarioStatus, start: LocalDateTime): LocalDateTime | null {
  return ARRIVED_STATUSES.includes(status) ? addMinutesLocal(start, -5) : null;
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

/** Builds a clinic's PIMS-neutral data from its validated scenario; `day`/`time` resolve against `now`. */
export function resolveScenarioClinic(c: ClinicScenario, now: Date): ScenarioClinic {
  const zone = c.timezone;
  const appointments = new Map<string, Appointment>();
  for (const a of c.appointments) appointments.set(a.id, resolveAppointment(a, zone, now));
  const consultations = new Map<string, Consultation>();
  for (const k of c.consultations) consultations.set(k.id, resolveConsultation(k, zone, now));
  return {
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
  };
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

/**
 * When an appointment last changed: the later of its own change (or booking) and its consultation's.
 * (Neo serves it as `last_updated_at`.)
 */
export function lastUpdatedAt(clinic: ScenarioClinic, a: Appointment): LocalDateTime {
  const k = a.consultationId ? clinic.consultations.get(a.consultationId) : undefined;
  return maxLocal(a.updatedAt ?? a.bookedAt, k?.updatedAt ?? null)!;
}

/** A change time that is both "now" and strictly after the previous value, so a change is always visible. */
export function bumpTime(previous: LocalDateTime | null, now: Date, zone: string): LocalDateTime {
  const current = localNow(now, zone);
  if (previous && previous >= current) return addSecondsLocal(previous, 1);
  return current;
}

export function appointmentForConsultation(
  clinic: ScenarioClinic,
  consultationId: string,
): Appointment | undefined {
  for (const a of clinic.appointments.values()) if (a.consultationId === consultationId) return a;
  return undefined;
}

/** Appointments in start order (then id): the order of every listing and of the read-out. */
export function byStart(x: Appointment, y: Appointment): number {
  return x.start === y.start ? x.id.localeCompare(y.id) : x.start < y.start ? -1 : 1;
}
