import { z } from 'zod';
import {
  addMinutesLocal,
  localNow,
  minutesBetweenLocal,
  normalizeLocal,
  type LocalDateTime,
} from '@pims/sim-scenario';
import {
  SPECIES,
  bumpTime,
  lastUpdatedAt,
  primaryPhone,
  type Appointment,
  type Clinic,
  type ClientRecord,
  type PatientRecord,
  type PickListValue,
} from './model';

/**
 * Neo's patient search, client search and write endpoints (docs/idexx-neo-wire.md, "Writes"), as
 * pure functions over a clinic's data. The routes (write-routes.ts) check the session and the CSRF
 * token first; the faults are applied around them (app.ts).
 */

export interface NeoAnswer {
  status: 200 | 404 | 409 | 422;
  body: Record<string, unknown>;
}

const ok = (body: Record<string, unknown> = {}): NeoAnswer => ({
  status: 200,
  body: { success: true, ...body },
});

function refused(errors: Record<string, string[]>, message = 'The record could not be saved'): NeoAnswer {
  return { status: 422, body: { success: false, message, errors } };
}

// ---- ids -------------------------------------------------------------------------------------

const COUNTER_START = { client: 50_000, patient: 60_000, appointment: 900_000 } as const;
const counters = new WeakMap<Clinic, Record<keyof typeof COUNTER_START, number>>();

/** A new numeric id (as Neo's are) not yet used in that map. */
function newId(clinic: Clinic, kind: keyof typeof COUNTER_START, taken: Map<string, unknown>): string {
  let c = counters.get(clinic);
  if (!c) {
    c = { ...COUNTER_START };
    counters.set(clinic, c);
  }
  let id: string;
  do {
    c[kind] += 1;
    id = String(c[kind]);
  } while (taken.has(id));
  return id;
}

/** Ids are numbers in the search answers when they look like numbers (strings elsewhere). */
export function searchId(id: string): string | number {
  return /^[1-9]\d{0,14}$/.test(id) ? Number(id) : id;
}

// ---- matching ----------------------------------------------------------------------------------

const digits = (s: string | null | undefined) => (s ?? '').replace(/\D/g, '');

/** A term that is a phone number (or part of one): digits and phone punctuation only. */
function isPhoneTerm(term: string): boolean {
  return /^[\d\s()+.-]+$/.test(term) && digits(term).length >= 3;
}

/** A phone matches a term when its digits hold the term's, or both end in the same ten digits. */
export function phoneMatches(phone: string | null, term: string): boolean {
  const p = digits(phone);
  const t = digits(term);
  if (p === '' || t.length < 3) return false;
  if (p.includes(t)) return true;
  return t.length >= 10 && p.length >= 10 && p.slice(-10) === t.slice(-10);
}

function clientPhones(c: ClientRecord): (string | null)[] {
  return [c.homePhone, c.mobilePhone, c.workPhone];
}

/** Every word of the term is found in one of the values (ignoring case). */
function wordsMatch(term: string, values: (string | null)[]): boolean {
  const hay = values.filter((v): v is string => !!v).map((v) => v.toLowerCase());
  const words = term
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((w) => w !== '');
  return words.length > 0 && words.every((w) => hay.some((h) => h.includes(w)));
}

function clientMatches(c: ClientRecord, term: string): boolean {
  if (isPhoneTerm(term)) return clientPhones(c).some((p) => phoneMatches(p, term));
  return wordsMatch(term, [c.firstName, c.lastName, c.email]);
}

// ---- answers -----------------------------------------------------------------------------------

function pick(v: PickListValue | null) {
  return v ? { id: v.id === null ? null : searchId(v.id), name: v.name } : null;
}

export function clientJson(clinic: Clinic, c: ClientRecord, withPatients: boolean) {
  return {
    id: c.id,
    title: c.title,
    firstName: c.firstName,
    lastName: c.lastName,
    homePhone: c.homePhone,
    workPhone: c.workPhone,
    mobilePhone: c.mobilePhone,
    email: c.email,
    address1: c.address1,
    ...(withPatients
      ? {
          patients: patientsOf(clinic, c.id).map((p) => ({
            id: p.id,
            name: p.name,
            species: p.species?.name ?? null,
            breed: p.breed?.name ?? null,
            alive: true,
          })),
        }
      : {}),
  };
}

function patientsOf(clinic: Clinic, clientId: string): PatientRecord[] {
  return [...clinic.patients.values()].filter((p) => p.clientId === clientId);
}

function patientSearchObject(clinic: Clinic, p: PatientRecord) {
  const c = p.clientId ? clinic.clients.get(p.clientId) : undefined;
  return {
    id: searchId(p.id),
    name: p.name,
    breed: pick(p.breed),
    species: pick(p.species),
    gender: pick(p.gender),
    dob: p.dob,
    status: 'Active',
    alive: true,
    active: true,
    client: c
      ? {
          id: searchId(c.id),
          firstName: c.firstName,
          lastName: c.lastName,
          homePhone: c.homePhone,
          mobilePhone: c.mobilePhone,
        }
      : null,
  };
}

function byName<T extends { id: string }>(label: (x: T) => string) {
  return (a: T, b: T) => label(a).localeCompare(label(b)) || a.id.localeCompare(b.id);
}

/** GET /search/patients?q=&json=true&suggested=true&limit=: patients by their, or their owner's, name, phone or email. */
export function searchPatients(
  clinic: Clinic,
  q: string,
  opts: { limit?: number; suggested?: boolean } = {},
) {
  const term = q.trim();
  const limit = Math.min(100, Math.max(1, Number.isFinite(opts.limit) ? Math.floor(opts.limit!) : 100));
  const found =
    term.length < 2
      ? []
      : [...clinic.patients.values()]
          .filter((p) => {
            const c = p.clientId ? clinic.clients.get(p.clientId) : undefined;
            if (isPhoneTerm(term)) return !!c && clientPhones(c).some((ph) => phoneMatches(ph, term));
            return wordsMatch(term, [p.name, c?.firstName ?? null, c?.lastName ?? null, c?.email ?? null]);
          })
          .sort(byName((p) => p.name))
          .slice(0, limit);
  const objects = found.map((p) => patientSearchObject(clinic, p));
  const data = found.map((p) => {
    const c = p.clientId ? clinic.clients.get(p.clientId) : undefined;
    return { id: searchId(p.id), text: c ? `${p.name} (${c.lastName}, ${c.firstName})` : p.name };
  });
  return {
    results: {
      patients: { data, objects },
      suggested: { objects: opts.suggested === false ? [] : objects },
    },
  };
}

/** GET /clients/search?term=: clients by name, email or phone, each with its patients. */
export function searchClients(clinic: Clinic, termRaw: string) {
  const term = termRaw.trim();
  const clients =
    term.length < 2
      ? []
      : [...clinic.clients.values()]
          .filter((c) => clientMatches(c, term))
          .sort(byName((c) => `${c.lastName}, ${c.firstName}`))
          .slice(0, 50);
  return { clients: clients.map((c) => clientJson(clinic, c, true)), total: clients.length };
}

/** GET /clients/duplicateCheck?firstName=&lastName=&homePhone=: clients with that name, or that phone. */
export function duplicateCheck(
  clinic: Clinic,
  q: { firstName?: string; lastName?: string; homePhone?: string },
) {
  const first = (q.firstName ?? '').trim().toLowerCase();
  const last = (q.lastName ?? '').trim().toLowerCase();
  const phone = (q.homePhone ?? '').trim();
  const clients = [...clinic.clients.values()].filter(
    (c) =>
      (last !== '' &&
        c.lastName.toLowerCase() === last &&
        (first === '' || c.firstName.toLowerCase() === first)) ||
      (digits(phone).length >= 7 && clientPhones(c).some((p) => phoneMatches(p, phone))),
  );
  return { duplicate: clients.length > 0, clients: clients.map((c) => clientJson(clinic, c, false)) };
}

// ---- writes ------------------------------------------------------------------------------------

const optionalText = z
  .union([z.string(), z.null()])
  .optional()
  .transform((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null));
const requiredText = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} is required`);

const ClientBody = z
  .object({
    firstName: requiredText('First name'),
    lastName: requiredText('Last name'),
    title: optionalText,
    homePhone: optionalText,
    workPhone: optionalText,
    mobilePhone: optionalText,
    email: optionalText,
    address1: optionalText,
  })
  .passthrough();

function issues(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of error.issues) {
    const key = i.path.length ? String(i.path[0]) : 'body';
    (out[key] ??= []).push(i.message);
  }
  return out;
}

/** POST /clients/create (JSON) -> {success, client}. */
export function createClient(clinic: Clinic, body: unknown): NeoAnswer {
  const r = ClientBody.safeParse(body ?? {});
  if (!r.success) return refused(issues(r.error), 'The client could not be saved');
  const b = r.data;
  const c: ClientRecord = {
    id: newId(clinic, 'client', clinic.clients),
    origin: 'created',
    title: b.title,
    firstName: b.firstName,
    lastName: b.lastName,
    homePhone: b.homePhone,
    workPhone: b.workPhone,
    mobilePhone: b.mobilePhone,
    email: b.email,
    address1: b.address1,
  };
  clinic.clients.set(c.id, c);
  return ok({ client: clientJson(clinic, c, false) });
}

/** A pick-list value as the form posts it: a whole object `{id, name}` (a bare string is refused). */
const PickBody = z
  .object({
    id: z.union([z.string(), z.number(), z.null()]).optional(),
    name: z.union([z.string(), z.null()]).optional(),
  })
  .passthrough()
  .refine((v) => (v.id !== undefined && v.id !== null && String(v.id).trim() !== '') || !!v.name?.trim(), {
    message: 'must name an entry: {id, name}',
  });

const pickField = (what: string) =>
  z
    .unknown()
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined || v === null) return;
      if (typeof v !== 'object' || Array.isArray(v)) {
        ctx.addIssue({ code: 'custom', message: `${what} must be an object {id, name}` });
        return;
      }
      const r = PickBody.safeParse(v);
      if (!r.success) ctx.addIssue({ code: 'custom', message: `${what} ${r.error.issues[0].message}` });
    })
    .transform((v) =>
      v && typeof v === 'object' ? (v as { id?: string | number | null; name?: string | null }) : null,
    );

const PatientBody = z
  .object({
    name: requiredText('Name'),
    species: pickField('species'),
    breed: pickField('breed'),
    gender: pickField('gender'),
    dob: optionalText,
    client: z
      .object({ id: z.union([z.string().trim().min(1), z.number()]) }, { error: 'client is required' })
      .passthrough(),
  })
  .passthrough();

function resolvePick(
  v: { id?: string | number | null; name?: string | null } | null,
  list: readonly PickListValue[] = [],
): PickListValue | null {
  if (!v) return null;
  const id = v.id === undefined || v.id === null || String(v.id).trim() === '' ? null : String(v.id).trim();
  const name = v.name?.trim() || null;
  const known = list.find(
    (x) => (id !== null && x.id === id) || (name !== null && x.name.toLowerCase() === name.toLowerCase()),
  );
  if (known) return { ...known };
  return { id, name: name ?? id! };
}

/** POST /patients/create (JSON, species/breed/gender as objects) -> {success, patient}. */
export function createPatient(clinic: Clinic, body: unknown): NeoAnswer {
  const r = PatientBody.safeParse(body ?? {});
  if (!r.success) return refused(issues(r.error), 'The patient could not be saved');
  const b = r.data;
  const owner = clinic.clients.get(String(b.client.id));
  if (!owner) return refused({ client: ['Client not found'] }, 'The patient could not be saved');
  const p: PatientRecord = {
    id: newId(clinic, 'patient', clinic.patients),
    origin: 'created',
    name: b.name,
    species: resolvePick(b.species, SPECIES),
    breed: resolvePick(b.breed),
    gender: resolvePick(b.gender),
    dob: b.dob,
    clientId: owner.id,
  };
  clinic.patients.set(p.id, p);
  return ok({
    patient: {
      id: p.id,
      name: p.name,
      species: p.species,
      breed: p.breed,
      gender: p.gender,
      dob: p.dob,
      client: { id: owner.id, firstName: owner.firstName, lastName: owner.lastName },
    },
  });
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_RE = /^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$/;

function formField(fields: Record<string, unknown>, key: string): string | null {
  const v = fields[key];
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : t;
}

function truthy(v: string | null): boolean {
  return v !== null && ['1', 'true', 'on', 'yes'].includes(v.toLowerCase());
}

function withSeconds(time: string): string {
  return time.length === 5 ? `${time}:00` : time;
}

/**
 * POST /appointments/create (multipart/form-data: patient_id, type_id, user_id, room,
 * appointment_date, time, time_end, useRealEndTime; the simulator also takes reason and notes)
 * -> {success: true}, with no id (find it on the calendar).
 */
export function createAppointment(clinic: Clinic, fields: Record<string, unknown>, now: Date): NeoAnswer {
  const errors: Record<string, string[]> = {};
  const bad = (key: string, message: string) => (errors[key] ??= []).push(message);
  const patientId = formField(fields, 'patient_id');
  const patient = patientId ? clinic.patients.get(patientId) : undefined;
  if (!patientId) bad('patient_id', 'A patient is required');
  else if (!patient) bad('patient_id', 'Patient not found');
  const typeId = formField(fields, 'type_id');
  const type = typeId ? clinic.appointmentTypes.find((t) => t.id === typeId) : undefined;
  if (typeId && !type) bad('type_id', 'Unknown appointment type');
  const userId = formField(fields, 'user_id');
  if (userId && !clinic.providers.some((p) => p.id === userId)) bad('user_id', 'Unknown provider');
  const roomId = formField(fields, 'room');
  if (roomId && !clinic.rooms.some((r) => r.id === roomId)) bad('room', 'Unknown room');
  const date = formField(fields, 'appointment_date');
  const time = formField(fields, 'time');
  const timeEnd = formField(fields, 'time_end');
  const start =
    date && DATE_RE.test(date) && time && TIME_RE.test(time)
      ? normalizeLocal(`${date} ${withSeconds(time)}`)
      : null;
  if (!start) bad('time', 'A date (YYYY-MM-DD) and a time (HH:MM) are required');
  if (timeEnd && !TIME_RE.test(timeEnd)) bad('time_end', 'The end time must be HH:MM');
  if (Object.keys(errors).length > 0 || !start || !patient)
    return refused(errors, 'The appointment could not be saved');

  // The end: the given end time when useRealEndTime is set (or there is no type), else the type's length.
  let end: LocalDateTime;
  if (timeEnd && (truthy(formField(fields, 'useRealEndTime')) || !type)) {
    end = `${date} ${withSeconds(timeEnd)}`;
    if (end <= start) end = addMinutesLocal(end, 24 * 60); // ends after midnight
  } else {
    end = addMinutesLocal(start, type?.duration ?? clinic.slotInterval);
  }
  const durationMinutes = minutesBetweenLocal(start, end);
  if (durationMinutes < 1 || durationMinutes > 24 * 60)
    return refused(
      { time_end: ['The appointment must last between 1 minute and 24 hours'] },
      'The appointment could not be saved',
    );

  const owner = patient.clientId ? clinic.clients.get(patient.clientId) : undefined;
  const a: Appointment = {
    id: newId(clinic, 'appointment', clinic.appointments),
    origin: 'created',
    start,
    end,
    durationMinutes,
    status: 'not_arrived',
    type: type?.name ?? null,
    reason: formField(fields, 'reason'),
    title: null,
    notes: formField(fields, 'notes'),
    providerId: userId,
    roomId,
    patient: {
      id: patient.id,
      name: patient.name,
      species: patient.species?.name ?? null,
      breed: patient.breed?.name ?? null,
    },
    client: owner
      ? {
          id: owner.id,
          title: owner.title,
          firstName: owner.firstName,
          lastName: owner.lastName,
          phone: primaryPhone(owner),
          email: owner.email,
        }
      : null,
    consultationId: null,
    isBlock: false,
    isRoster: false,
    recurring: false,
    cancelledReason: null,
    bookedBy: clinic.userDisplayName,
    bookedAt: localNow(now, clinic.timezone),
    updatedAt: null,
    arrivedAt: null,
    estimateId: null,
    malformed: null,
  };
  clinic.appointments.set(a.id, a);
  return ok();
}

const DeleteBody = z
  .object({
    action: z.enum(['cancel', 'delete'], { error: 'action must be "cancel" or "delete"' }),
    reason: z.union([z.string(), z.null()]).optional(),
  })
  .passthrough();

const STARTED = ['arrived', 'in_progress', 'ready_to_pay', 'finalized'];

/**
 * POST /appointments/delete/{id} (JSON {action, reason}) -> {success: true}. "cancel" keeps it as
 * cancelled with the reason (cancelling a cancelled one changes nothing), "delete" removes it. A
 * visit that has started (arrived .. finalized) is refused with 409.
 */
export function deleteAppointment(clinic: Clinic, id: string, body: unknown, now: Date): NeoAnswer {
  const r = DeleteBody.safeParse(body ?? {});
  if (!r.success) return refused(issues(r.error), 'The appointment could not be changed');
  const a = clinic.appointments.get(id);
  if (!a) return { status: 404, body: { success: false, error: 'Not found' } };
  if (STARTED.includes(a.status))
    return {
      status: 409,
      body: {
        success: false,
        error: `The appointment is ${a.status.replace(/_/g, ' ')} and cannot be ${r.data.action === 'cancel' ? 'cancelled' : 'deleted'}`,
      },
    };
  if (r.data.action === 'delete') {
    clinic.appointments.delete(id);
    return ok();
  }
  if (a.status === 'cancelled') return ok();
  const before = lastUpdatedAt(clinic, a);
  a.status = 'cancelled';
  a.cancelledReason = r.data.reason?.trim() || 'Cancelled';
  a.updatedAt = bumpTime(before, now, clinic.timezone);
  return ok();
}
