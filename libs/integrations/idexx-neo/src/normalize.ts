import { AppError, formatLocalDateTime, instantOfLocalCompatible, resolveLocalDateTime } from '@pims/util';
import { mapNeoStatus } from './status';
import { PimsAppointment, PimsConsultation, PimsScheduleConfig } from '@pims/pims';

type Rec = Record<string, unknown>;

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string or number as a trimmed string; anything else, or an empty string, as null. */
export function str(v: unknown): string | null {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** A string kept verbatim (notes keep their line breaks); an empty or blank string is null. */
function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** A reference id: like str, but "0" means "none" (PHP back ends use it for a missing reference). */
function refId(v: unknown): string | null {
  const s = str(v);
  return s === null || s === '0' ? null : s;
}

/** Neo's 0/1 flags arrive as numbers, strings or booleans. */
export function flag(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return ['1', 'true', 'yes', 'y', 't'].includes(v.trim().toLowerCase());
  return false;
}

function first(...values: unknown[]): unknown {
  for (const v of values) if (v !== undefined && v !== null && v !== '') return v;
  return null;
}

function badResponse(what: string): AppError {
  return new AppError('pims_bad_response', `IDEXX Neo sent ${what} in an unexpected format`, { status: 502, retryable: false });
}

// ---------------------------------------------------------------------------------------------
// Times

export interface LocalDateTimeParts {
  date: string;
  time: string;
}

export interface ResolvedTime extends LocalDateTimeParts {
  instant: Date;
}

/**
 * The UTC instant of a clinic-local wall-clock time 'HH:MM[:SS]'. A time inside a spring-forward gap
 * (which a PIMS can still hold) is read with the offset from before the change, as Temporal's
 * "compatible" disambiguation does; an ambiguous time takes its first occurrence. The arithmetic is
 * the time module's (`instantOfLocalCompatible` in @pims/util-core).
 */
export function instantOfLocalTime(date: string, time: string, zone: string): Date | null {
  return instantOfLocalCompatible(date, time, zone);
}

/**
 * Reads a Neo time: clinic-local 'YYYY-MM-DD HH:MM[:SS]' (or with a 'T'); an ISO value with an offset
 * is also accepted and converted to the clinic's wall clock. Null when unreadable.
 */
export function resolveNeoTime(value: unknown, zone: string): ResolvedTime | null {
  return typeof value === 'string' ? resolveLocalDateTime(value, zone) : null;
}

// ---------------------------------------------------------------------------------------------
// Calendar events

/** The event list of a getCalendarEventData answer: `events`, `appointments`, `data`, or a bare array. */
export function extractEventList(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (isRecord(body)) {
    for (const key of ['events', 'appointments', 'data']) {
      const v = body[key];
      if (Array.isArray(v)) return v;
      if (isRecord(v) && Array.isArray(v.events)) return v.events;
      if (isRecord(v) && Array.isArray(v.appointments)) return v.appointments;
    }
  }
  throw badResponse('the calendar events');
}

export type EventVerdict =
  | { kind: 'appointment'; appointment: PimsAppointment }
  | { kind: 'excluded'; id: string | null; reason: 'block' | 'roster' }
  | { kind: 'malformed'; id: string | null; reason: string };

/** "PATIENT; LAST, FIRST" -> parts, for events that leave the separate fields out. */
export function parseEventTitle(title: unknown): { patient: string | null; lastName: string | null; firstName: string | null } {
  const t = str(title);
  if (!t || !t.includes(';')) return { patient: null, lastName: null, firstName: null };
  const [patient, owner = ''] = t.split(';', 2);
  const [last, firstName = ''] = owner.split(',', 2);
  return { patient: str(patient), lastName: str(last), firstName: str(firstName) };
}

function nameOf(v: unknown): string | null {
  if (isRecord(v)) return str(first(v.name, v.title, v.description));
  return str(v);
}

/** Normalizes one calendar event; blocks/rosters are excluded, unreadable records are malformed. */
export function normalizeEvent(raw: unknown, zone: string): EventVerdict {
  if (!isRecord(raw)) return { kind: 'malformed', id: null, reason: 'not an object' };
  const id = str(first(raw.id, raw.appointment_id, raw.appointmentId));
  if (flag(raw.is_block) || flag(raw.isBlock) || flag(raw.block)) return { kind: 'excluded', id, reason: 'block' };
  if (flag(raw.is_roster) || flag(raw.isRoster) || flag(raw.roster)) return { kind: 'excluded', id, reason: 'roster' };
  if (!id) return { kind: 'malformed', id: null, reason: 'missing id' };

  const startRaw = first(raw.start, raw.startAtLocal, raw.start_date_time);
  if (startRaw === null) return { kind: 'malformed', id, reason: 'missing start' };
  const start = resolveNeoTime(startRaw, zone);
  if (!start) return { kind: 'malformed', id, reason: 'unreadable start' };

  let end = resolveNeoTime(first(raw.end, raw.endAtLocal, raw.end_date_time), zone);
  if (!end) {
    const duration = Number(first(raw.duration, raw.durationMinutes));
    if (Number.isFinite(duration) && duration > 0) {
      const instant = new Date(start.instant.getTime() + duration * 60_000);
      const [date, time] = formatLocalDateTime(instant, zone).split(' ');
      end = { date, time, instant };
    }
  }
  if (!end || end.instant.getTime() < start.instant.getTime()) end = start;

  const titled = parseEventTitle(raw.title);
  const nestedPatient = isRecord(raw.patient) ? raw.patient : null;
  const nestedClient = isRecord(raw.client) ? raw.client : nestedPatient && isRecord(nestedPatient.client) ? nestedPatient.client : null;

  const patient = {
    id: str(first(raw.patient_id, nestedPatient?.id)),
    name: str(first(raw.patient_name, nestedPatient?.name, titled.patient)),
    species: str(first(raw.species, nestedPatient?.species)),
    breed: str(first(raw.breed, nestedPatient?.breed)),
  };
  const client = {
    id: str(first(raw.client_id, nestedClient?.id)),
    firstName: str(first(raw.first_name, nestedClient?.firstName, nestedClient?.first_name, titled.firstName)),
    lastName: str(first(raw.last_name, nestedClient?.lastName, nestedClient?.last_name, titled.lastName)),
    phone: str(first(raw.phone_number, raw.phone, nestedClient?.phone, nestedClient?.phone_number)),
    email: str(first(raw.email, nestedClient?.email)),
  };
  const providerObj = isRecord(raw.provider) ? raw.provider : null;
  const provider = {
    id: str(first(raw.provider_id, providerObj?.id)),
    name: providerObj ? nameOf(providerObj) : str(first(raw.provider, raw.provider_name)),
  };
  const roomObj = isRecord(raw.appointmentRoom) ? raw.appointmentRoom : null;
  const room = {
    id: str(first(raw.appointment_room_id, raw.resourceId, raw.resource_id, roomObj?.id)),
    name: str(first(raw.appointment_room_name, roomObj ? nameOf(roomObj) : null)),
  };

  const statusWord = str(first(raw.current_status, raw.status_label, typeof raw.status === 'string' ? raw.status : null, raw.status_class));
  const cancelledReason = str(first(raw.cancelled_reason, raw.cancelledReason));
  const allNull = (o: Record<string, string | null>) => Object.values(o).every((v) => v === null);

  const candidate = {
    id,
    date: start.date,
    startTime: start.time,
    endDate: end.date,
    endTime: end.time,
    startAt: start.instant.toISOString(),
    endAt: end.instant.toISOString(),
    status: mapNeoStatus(statusWord, { cancelledReason }),
    rawStatus: statusWord,
    type: nameOf(first(raw.type_description, raw.appointmentType, raw.appointment_type, raw.type)),
    reason: str(raw.reason),
    consultationId: refId(first(raw.consultation_id, raw.consultationId)),
    provider: allNull(provider) ? null : provider,
    room: allNull(room) ? null : room,
    patient: allNull(patient) ? null : patient,
    client: allNull(client) ? null : client,
    lastUpdatedAt: str(first(raw.last_updated_at, raw.lastUpdatedAt, raw.updated_at)),
  };
  const parsed = PimsAppointment.safeParse(candidate);
  if (!parsed.success) return { kind: 'malformed', id, reason: 'unreadable fields' };
  return { kind: 'appointment', appointment: parsed.data };
}

export interface CollectedAppointments {
  appointments: PimsAppointment[];
  /** Unreadable records: each id once, plus every record without an id. */
  skipped: number;
  /** The distinct ids of the unreadable records that had one (none of them was also read whole). */
  skippedIds: string[];
  excluded: number;
}

function isNewer(a: PimsAppointment, b: PimsAppointment): boolean {
  return (a.lastUpdatedAt ?? '') > (b.lastUpdatedAt ?? '');
}

/**
 * Turns raw events (from any number of chunks) into the appointments whose clinic-local start date is
 * within from..to: blocks and rosters counted in `excluded`, unreadable records in `skipped` (with
 * their ids in `skippedIds` when they had one, so the caller never takes them for gone), duplicates
 * (by id) merged keeping the most recently updated copy. An unreadable copy of a record also read
 * whole is not counted. Sorted by start, then id.
 */
export function collectAppointments(rawEvents: readonly unknown[], zone: string, from: string, to: string): CollectedAppointments {
  const byId = new Map<string, PimsAppointment>();
  const readIds = new Set<string>();
  const excludedIds = new Set<string>();
  const malformedIds = new Set<string>();
  let excluded = 0;
  let withoutId = 0;
  for (const raw of rawEvents) {
    const v = normalizeEvent(raw, zone);
    if (v.kind === 'excluded') {
      if (v.id === null) excluded += 1;
      else if (!excludedIds.has(v.id)) {
        excludedIds.add(v.id);
        excluded += 1;
      }
      continue;
    }
    if (v.kind === 'malformed') {
      if (v.id === null) withoutId += 1;
      else malformedIds.add(v.id);
      continue;
    }
    const a = v.appointment;
    readIds.add(a.id);
    if (a.date < from || a.date > to) continue;
    const seen = byId.get(a.id);
    if (!seen || isNewer(a, seen)) byId.set(a.id, a);
  }
  const appointments = [...byId.values()].sort((x, y) => (x.startAt < y.startAt ? -1 : x.startAt > y.startAt ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const skippedIds = [...malformedIds].filter((id) => !readIds.has(id) && !excludedIds.has(id)).sort();
  return { appointments, skipped: withoutId + skippedIds.length, skippedIds, excluded };
}

// ---------------------------------------------------------------------------------------------
// Consultations

function numberOrNull(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function diagnosisNames(...lists: unknown[]): string[] {
  const names: string[] = [];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const d of list) {
      const name = isRecord(d) ? str(first(d.name, d.description, d.diagnosis, d.title)) : str(d);
      if (name && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

/** Normalizes a /consultations/{id}/page-data answer. */
export function normalizeConsultation(body: unknown, requestedId: string): PimsConsultation {
  if (!isRecord(body)) throw badResponse('a consultation');
  const data = isRecord(body.data) && isRecord(body.data.consultation) ? body.data : body;
  const c = data.consultation;
  if (!isRecord(c)) throw badResponse('a consultation');
  const notesObj = isRecord(data.consultationNotes) ? data.consultationNotes : null;
  const lines = Array.isArray(data.consultationLines) ? data.consultationLines : Array.isArray(c.consultationLines) ? c.consultationLines : [];
  const products: PimsConsultation['products'] = [];
  for (const line of lines) {
    if (!isRecord(line)) continue;
    const name = nameOf(first(line.productService, line.product_service, line.name, line.description, line.product));
    if (!name) continue;
    products.push({ name, quantity: numberOrNull(line.quantity), isDeclined: flag(first(line.isDeclined, line.is_declined)) });
  }
  const candidate = {
    id: str(c.id) ?? requestedId,
    status: str(c.status),
    notes: text(c.notes) ?? (notesObj ? text(notesObj.notes) : null) ?? text(data.consultationNotes),
    dischargeSummary: text(first(c.dischargeSummary, c.discharge_summary, data.dischargeSummary)),
    diagnoses: diagnosisNames(data.diagnoses, c.diagnoses, data.problems),
    products,
    reason: str(c.reason),
    date: str(c.date),
  };
  const parsed = PimsConsultation.safeParse(candidate);
  if (!parsed.success) throw badResponse('a consultation');
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Calendar set-up

/** FullCalendar weekday (Sunday 0 .. Saturday 6) to ISO (Monday 1 .. Sunday 7); ISO 7 is accepted as is. */
export function fullCalendarDayToIso(day: number): number | null {
  if (!Number.isInteger(day) || day < 0 || day > 7) return null;
  return day === 0 ? 7 : day;
}

/** 'H:MM', 'HH:MM' or 'HH:MM:SS' to 'HH:MM' ('24:00' allowed); null when unreadable. */
export function normalizeClockTime(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  const m = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min !== 0)) return null;
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}

/** slotInterval as minutes: a number, a numeric string, or FullCalendar's 'HH:MM[:SS]' duration. */
export function slotMinutes(v: unknown): number | null {
  const n = numberOrNull(v);
  if (n !== null) return n > 0 && Number.isInteger(n) ? n : null;
  const s = str(v);
  const m = s ? /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s) : null;
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes > 0 ? minutes : null;
}

/** Normalizes a getAppointmentView answer into the calendar set-up. */
export function normalizeScheduleConfig(body: unknown): PimsScheduleConfig {
  if (!isRecord(body)) throw badResponse('the calendar set-up');
  const view = isRecord(body.data) && !Array.isArray(body.businessHours) ? body.data : body;
  const rawHours = Array.isArray(view.businessHours) ? view.businessHours : isRecord(view.businessHours) ? [view.businessHours] : null;
  if (rawHours === null && view.businessHours !== undefined && view.businessHours !== null && view.businessHours !== false) {
    throw badResponse('the calendar set-up');
  }
  const businessHours: PimsScheduleConfig['businessHours'] = [];
  for (const h of rawHours ?? []) {
    if (!isRecord(h)) continue;
    const startTime = normalizeClockTime(h.startTime);
    const endTime = normalizeClockTime(h.endTime);
    const rawDays = Array.isArray(h.daysOfWeek) ? h.daysOfWeek : Array.isArray(h.dow) ? h.dow : [];
    const days = [...new Set(rawDays.map((d) => fullCalendarDayToIso(Number(d))).filter((d): d is number => d !== null))].sort((a, b) => a - b);
    if (!startTime || !endTime || days.length === 0) continue;
    businessHours.push({ daysOfWeek: days, startTime, endTime });
  }
  const rooms = (Array.isArray(view.appointmentRooms) ? view.appointmentRooms : Array.isArray(view.rooms) ? view.rooms : [])
    .filter(isRecord)
    .map((r, i) => ({ id: str(r.id), name: nameOf(r) ?? str(r.id), position: numberOrNull(r.position) ?? i }))
    .filter((r): r is { id: string; name: string; position: number } => r.id !== null && r.name !== null)
    .sort((a, b) => a.position - b.position)
    .map(({ id, name }) => ({ id, name }));
  const providers = (Array.isArray(view.providers) ? view.providers : [])
    .filter(isRecord)
    .map((p) => ({ id: str(p.id), name: nameOf(p) ?? str(p.id) }))
    .filter((p): p is { id: string; name: string } => p.id !== null && p.name !== null);
  // Appointment types only when Neo lists them (absent = unknown, not "none"); a length that is not
  // a positive whole number of minutes (or 'HH:MM') is null: such a type never counts as fitting a slot.
  const appointmentTypes = Array.isArray(view.appointmentTypes)
    ? view.appointmentTypes
        .filter(isRecord)
        .map((t) => ({ id: str(t.id), name: nameOf(t) ?? str(t.id), durationMinutes: slotMinutes(first(t.duration, t.durationMinutes)) }))
        .filter((t): t is { id: string; name: string; durationMinutes: number | null } => t.id !== null && t.name !== null)
    : undefined;
  const candidate = {
    slotIntervalMinutes: slotMinutes(first(view.slotInterval, view.slotDuration, view.slot_interval)) ?? 30,
    businessHours,
    rooms,
    providers,
    ...(appointmentTypes ? { appointmentTypes } : {}),
  };
  const parsed = PimsScheduleConfig.safeParse(candidate);
  if (!parsed.success) throw badResponse('the calendar set-up');
  return parsed.data;
}
