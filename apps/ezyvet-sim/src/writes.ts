import { z } from 'zod';
import {
  addMinutesLocal,
  bumpTime,
  lastUpdatedAt,
  localNow,
  toClinicLocal,
  type Appointment,
  type Consultation,
} from '@pims/sim-scenario';
import { CANCELLED_STATUS_ID, isEmailType, newId, statusWordOf, type EzyClinic } from './model';
import type { EzyState } from './state';
import type { ServedRecord } from './store';
import { badRequest, notFound, refusal, singleBody, type EzAnswer } from './wire';

/**
 * ezyVet's write endpoints (docs/ezyvet-wire.md section 7) over a clinic's data: the booking through
 * ezyCAB, the cancel through PATCH /v2/appointment/{id}, and contact, contact detail and animal
 * creation. The routes authenticate first; the faults are applied around them (app.ts).
 */

const idText = z.union([z.string().trim().min(1), z.number().int().nonnegative()]).transform(String);

function issuesText(error: z.ZodError): { text: string; fields: string[] } {
  const fields = [...new Set(error.issues.map((i) => (i.path.length ? i.path.join('.') : '')))].filter(
    Boolean,
  );
  const unknown = error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : []));
  const text = error.issues
    .slice(0, 5)
    .map((i) =>
      i.code === 'unrecognized_keys'
        ? `unknown field(s) ${i.keys.join(', ')}`
        : `${i.path.join('.') || 'body'}: ${i.message}`,
    )
    .join('; ');
  return { text: `Invalid request: ${text}`, fields: [...fields, ...unknown] };
}

function parse<T extends z.ZodType>(
  schema: T,
  body: unknown,
): { ok: true; value: z.output<T> } | { ok: false; answer: EzAnswer } {
  const r = schema.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  const { text, fields } = issuesText(r.error);
  return { ok: false, answer: badRequest(text, fields) };
}

/** The active record of a store with this uid (the booking sends uids). */
function byUid(clinic: EzyClinic, store: keyof EzyClinic['stores'], uid: string): ServedRecord | null {
  return clinic.stores[store].all().find((r) => r.uid === uid && r.active === 1) ?? null;
}

function activeRecord(clinic: EzyClinic, store: keyof EzyClinic['stores'], id: string): ServedRecord | null {
  const r = clinic.stores[store].get(id);
  return r && r.active === 1 ? r : null;
}

const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : v === null || v === undefined ? null : String(v);

/** The contact's phone (first phone detail in id order) and email (first email detail). */
function channelsOf(clinic: EzyClinic, contactId: string): { phone: string | null; email: string | null } {
  const details = clinic.stores.contactdetail
    .all()
    .filter((d) => d.active === 1 && d.contact_id === contactId);
  const email = details.find((d) => isEmailType(String(d.contact_detail_type_id)));
  const phone = details.find((d) => !isEmailType(String(d.contact_detail_type_id)));
  return { phone: str(phone?.value), email: str(email?.value) };
}

// ---- POST /ezycab/booking (7.5) ---------------------------------------------------------------

export const BookingSchema = z.strictObject({
  startTime: z.string().min(1),
  durationMinutes: z.number().int().min(1).max(1440),
  type: z.string().min(1),
  animal: z.string().min(1),
  contact: z.string().min(1),
  provider: z.string().min(1).optional(),
  appointmentStatus: z.enum(['unconfirmed', 'confirmed']).optional(),
  description: z.string().max(20_000).optional(),
});

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function createBooking(state: EzyState, clinic: EzyClinic, body: unknown): EzAnswer {
  const p = parse(BookingSchema, body);
  if (!p.ok) return p.answer;
  const b = p.value;
  if (!WITH_OFFSET.test(b.startTime.trim()))
    return badRequest(
      'startTime must be an ISO 8601 date-time with an offset, e.g. 2026-11-20T09:00:00-05:00',
      ['startTime'],
    );
  const start = toClinicLocal(b.startTime, clinic.timezone);
  if (!start) return badRequest('startTime is not a real date-time', ['startTime']);
  const type = byUid(clinic, 'appointmenttype', b.type);
  if (!type) return badRequest(`Unknown appointment type uid "${b.type}"`, ['type']);
  const animal = byUid(clinic, 'animal', b.animal);
  if (!animal) return badRequest(`Unknown animal uid "${b.animal}"`, ['animal']);
  const contact = byUid(clinic, 'contact', b.contact);
  if (!contact) return badRequest(`Unknown contact uid "${b.contact}"`, ['contact']);
  if (animal.contact_id !== contact.id)
    return badRequest('The animal does not belong to that contact', ['animal', 'contact']);
  const resource = b.provider !== undefined ? byUid(clinic, 'resource', b.provider) : null;
  if (b.provider !== undefined && !resource)
    return badRequest(`Unknown resource uid "${b.provider}"`, ['provider']);

  const now = state.clock.now();
  const bookedAt = localNow(now, clinic.timezone);
  const apptId = newId(
    clinic,
    'appointment',
    (x) => clinic.appointments.has(x) || clinic.stores.appointment.get(x) !== null,
  );
  const consultId = newId(
    clinic,
    'consult',
    (x) => clinic.consultations.has(x) || clinic.stores.consult.get(x) !== null,
  );
  const species = animal.species_id ? clinic.stores.species.get(String(animal.species_id)) : null;
  const breed = animal.breed_id ? clinic.stores.breed.get(String(animal.breed_id)) : null;
  const { phone, email } = channelsOf(clinic, String(contact.id));
  const isRoom = resource ? /room/i.test(String(resource.type ?? '')) : false;
  const a: Appointment = {
    id: apptId,
    origin: 'created',
    start,
    end: addMinutesLocal(start, b.durationMinutes),
    durationMinutes: b.durationMinutes,
    status: b.appointmentStatus === 'confirmed' ? 'confirmed' : 'not_arrived',
    type: str(type.name),
    reason: b.description ?? null,
    title: null,
    notes: null,
    providerId: resource && !isRoom ? String(resource.id) : null,
    roomId: resource && isRoom ? String(resource.id) : null,
    patient: {
      id: String(animal.id),
      name: String(animal.name ?? ''),
      species: str(species?.name),
      breed: str(breed?.name),
    },
    client: {
      id: String(contact.id),
      title: null,
      firstName: String(contact.first_name ?? ''),
      lastName: String(contact.last_name ?? ''),
      phone,
      email,
    },
    consultationId: consultId,
    isBlock: false,
    isRoster: false,
    recurring: false,
    cancelledReason: null,
    bookedBy: clinic.userDisplayName,
    bookedAt,
    updatedAt: bookedAt,
    arrivedAt: null,
    estimateId: null,
    malformed: null,
  };
  // ezyCAB makes the visit's consult (the booking guide's reason to prefer it over POST /v2/appointment).
  const k: Consultation = {
    id: consultId,
    status: 'Draft',
    reason: null,
    description: null,
    notes: '',
    dischargeSummary: '',
    diagnoses: [],
    lines: [],
    vitals: null,
    updatedAt: bookedAt,
  };
  clinic.appointments.set(a.id, a);
  clinic.consultations.set(k.id, k);
  state.resync(clinic);
  clinic.counters.booking += 1;
  return {
    status: 200,
    body: { id: `bookingRequest_${clinic.counters.booking}`, appointment: `appointment_${a.id}` },
  };
}

// ---- PATCH /v2/appointment/{id} (7.6) --------------------------------------------------------------

export const AppointmentUpdateSchema = z
  .strictObject({
    status_id: idText.optional(),
    cancellation_reason_text: z.string().max(2_000).nullable().optional(),
  })
  .refine((b) => b.status_id !== undefined || b.cancellation_reason_text !== undefined, {
    message: 'give status_id and/or cancellation_reason_text',
  });

const FINISHED = new Set(['ready_to_pay', 'finalized']);

export function updateAppointment(state: EzyState, clinic: EzyClinic, id: string, body: unknown): EzAnswer {
  const a = clinic.appointments.get(id);
  if (!a) return notFound(`Appointment ${id} was not found.`);
  const p = parse(AppointmentUpdateSchema, body);
  if (!p.ok) return p.answer;
  const b = p.value;
  const word = b.status_id !== undefined ? statusWordOf(b.status_id) : a.status;
  if (!word) return badRequest(`Unknown status_id "${b.status_id}"`, ['status_id']);
  if (b.status_id === CANCELLED_STATUS_ID && a.status !== 'cancelled' && FINISHED.has(a.status))
    return refusal(409, 'ConflictException', `Appointment ${id} is finished and cannot be cancelled.`);
  const before = lastUpdatedAt(clinic, a);
  a.status = word;
  if (b.cancellation_reason_text !== undefined) a.cancelledReason = b.cancellation_reason_text;
  a.updatedAt = bumpTime(before, state.clock.now(), clinic.timezone);
  state.resync(clinic, { appointment: new Set([id]) });
  return {
    status: 200,
    body: singleBody('appointment', clinic.stores.appointment.get(id)!, state.nowEpoch()),
  };
}

// ---- POST /v1/contact, /v1/contactdetail, /v1/animal (7.3, 7.4) -----------------------------------

export const ContactCreateSchema = z.strictObject({
  first_name: z.string().max(200).optional(),
  last_name: z.string().trim().min(1).max(200),
  is_customer: z.union([z.literal(0), z.literal(1), z.boolean()]).optional(),
});

export function createContact(state: EzyState, clinic: EzyClinic, body: unknown): EzAnswer {
  const p = parse(ContactCreateSchema, body);
  if (!p.ok) return p.answer;
  const id = newId(
    clinic,
    'contact',
    (x) => clinic.stores.contact.get(x) !== null || clinic.created.contacts.has(x),
  );
  clinic.created.contacts.set(id, { id, firstName: p.value.first_name ?? '', lastName: p.value.last_name });
  state.resync(clinic);
  return { status: 200, body: singleBody('contact', clinic.stores.contact.get(id)!, state.nowEpoch()) };
}

export const ContactDetailCreateSchema = z.strictObject({
  contact_id: idText,
  contact_detail_type_id: idText,
  name: z.string().max(200).optional(),
  value: z.string().trim().min(1).max(500),
});

export function createContactDetail(state: EzyState, clinic: EzyClinic, body: unknown): EzAnswer {
  const p = parse(ContactDetailCreateSchema, body);
  if (!p.ok) return p.answer;
  const b = p.value;
  if (!activeRecord(clinic, 'contact', b.contact_id))
    return badRequest(`No active contact ${b.contact_id}`, ['contact_id']);
  if (!activeRecord(clinic, 'contactdetailtype', b.contact_detail_type_id))
    return badRequest(`Unknown contact_detail_type_id "${b.contact_detail_type_id}"`, [
      'contact_detail_type_id',
    ]);
  const id = newId(
    clinic,
    'contactdetail',
    (x) => clinic.stores.contactdetail.get(x) !== null || clinic.created.details.has(x),
  );
  clinic.created.details.set(id, {
    id,
    contactId: b.contact_id,
    typeId: b.contact_detail_type_id,
    value: b.value.trim(),
  });
  state.resync(clinic);
  return {
    status: 200,
    body: singleBody('contactdetail', clinic.stores.contactdetail.get(id)!, state.nowEpoch()),
  };
}

export const AnimalCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  contact_id: idText,
  species_id: idText.nullable().optional(),
  breed_id: idText.nullable().optional(),
});

export function createAnimal(state: EzyState, clinic: EzyClinic, body: unknown): EzAnswer {
  const p = parse(AnimalCreateSchema, body);
  if (!p.ok) return p.answer;
  const b = p.value;
  if (!activeRecord(clinic, 'contact', b.contact_id))
    return badRequest(`No active contact ${b.contact_id}`, ['contact_id']);
  if (b.species_id && !activeRecord(clinic, 'species', b.species_id))
    return badRequest(`Unknown species_id "${b.species_id}"`, ['species_id']);
  if (b.breed_id && !activeRecord(clinic, 'breed', b.breed_id))
    return badRequest(`Unknown breed_id "${b.breed_id}"`, ['breed_id']);
  const id = newId(
    clinic,
    'animal',
    (x) => clinic.stores.animal.get(x) !== null || clinic.created.animals.has(x),
  );
  clinic.created.animals.set(id, {
    id,
    name: b.name,
    contactId: b.contact_id,
    speciesId: b.species_id ?? null,
    breedId: b.breed_id ?? null,
  });
  state.resync(clinic);
  return { status: 200, body: singleBody('animal', clinic.stores.animal.get(id)!, state.nowEpoch()) };
}
