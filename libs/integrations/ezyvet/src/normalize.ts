import { PimsAppointment, PimsConsultation, PimsScheduleConfig } from '@pims/pims';
import { formatLocalDateTime } from '@pims/util';
import { mapEzyvetStatus } from './status';
import type {
  EzAnimal,
  EzAppointment,
  EzAppointmentStatus,
  EzAppointmentType,
  EzClinicalNote,
  EzConsult,
  EzContact,
  EzContactDetail,
  EzInvoiceLine,
  EzNamed,
  EzResource,
  EzSiteInformation,
} from './wire';

/** What an appointment needs from the other lists to become a PimsAppointment. */
export interface Lookups {
  statuses: ReadonlyMap<string, EzAppointmentStatus>;
  types: ReadonlyMap<string, EzAppointmentType>;
  resources: ReadonlyMap<string, EzResource>;
  animals: ReadonlyMap<string, EzAnimal>;
  contacts: ReadonlyMap<string, EzContact>;
  /** Contact details by contact id. */
  details: ReadonlyMap<string, readonly EzContactDetail[]>;
  detailTypes: ReadonlyMap<string, EzNamed>;
  consults: ReadonlyMap<string, EzConsult>;
  species: ReadonlyMap<string, EzNamed>;
  breeds: ReadonlyMap<string, EzNamed>;
}

export type AppointmentVerdict =
  | { kind: 'appointment'; appointment: PimsAppointment }
  | { kind: 'excluded'; id: string; reason: 'block' | 'roster' }
  | { kind: 'malformed'; id: string | null; reason: string };

/** The marker our bookings carry in the description (docs/ezyvet-wire.md 7.5). */
export const MARKER = '[PIMS Sync';

export function bookingMarker(reference: string | undefined): string {
  return reference === undefined ? '[PIMS Sync]' : `[PIMS Sync ref ${reference}]`;
}

/** The description of a booking: its reason and our marker. */
export function bookingDescription(reason: string, reference: string | undefined): string {
  return `${reason} ${bookingMarker(reference)}`;
}

/** The reason of a description, without our marker. */
export function reasonOf(description: string | null): string | null {
  if (description === null) return null;
  const cut = description.replace(/\s*\[PIMS Sync(?: ref [^\]]*)?\]\s*$/, '').trim();
  return cut === '' ? null : cut;
}

/** Clinic-local 'YYYY-MM-DD' and 'HH:MM:SS' of an epoch second. */
export function localParts(epochSeconds: number, zone: string): { date: string; time: string; instant: Date } {
  const instant = new Date(epochSeconds * 1000);
  const [date, time] = formatLocalDateTime(instant, zone).split(' ');
  return { date, time, instant };
}

/** The clinic-local date of an appointment record's start. */
export function localDateOfStart(a: EzAppointment, zone: string): string {
  return localParts(a.start_at, zone).date;
}

export function isEmailType(name: string | null | undefined): boolean {
  return typeof name === 'string' && /mail/i.test(name);
}

/** A contact's phone numbers and emails, in id order. */
export function contactChannels(details: readonly EzContactDetail[] | undefined, detailTypes: ReadonlyMap<string, EzNamed>): { phones: string[]; emails: string[] } {
  const phones: string[] = [];
  const emails: string[] = [];
  const list = [...(details ?? [])].filter((d) => d.active && d.value !== null).sort((a, b) => compareIds(a.id, b.id));
  for (const d of list) {
    const typeName = d.contact_detail_type_id ? (detailTypes.get(d.contact_detail_type_id)?.name ?? d.name) : d.name;
    const isEmail = isEmailType(typeName) || (typeName === null && (d.value ?? '').includes('@'));
    (isEmail ? emails : phones).push(d.value as string);
  }
  return { phones, emails };
}

/** Ids in a stable order: numbers by value, others as text. */
export function compareIds(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : NaN;
  const nb = /^\d+$/.test(b) ? Number(b) : NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isRoomResource(r: EzResource | undefined): boolean {
  return r !== undefined && typeof r.type === 'string' && /room/i.test(r.type);
}

/** Is this appointment a block or roster rather than a visit (docs/ezyvet-wire.md section 6)? */
export function blockKind(a: EzAppointment, types: ReadonlyMap<string, EzAppointmentType>): 'block' | 'roster' | null {
  const typeName = a.type_id ? (types.get(a.type_id)?.name ?? '') : '';
  if (/^\s*roster/i.test(typeName)) return 'roster';
  if (/^\s*block/i.test(typeName)) return 'block';
  if (a.animal_id === null) return 'block';
  return null;
}

function later(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** An ezyVet appointment record (already zod-checked) as the port's appointment, or why not. */
export function toAppointment(a: EzAppointment, l: Lookups, zone: string): AppointmentVerdict {
  const block = blockKind(a, l.types);
  if (block) return { kind: 'excluded', id: a.id, reason: block };
  const start = localParts(a.start_at, zone);
  const type = a.type_id ? l.types.get(a.type_id) : undefined;
  const endEpoch = a.end_at ?? (a.duration !== null && a.duration > 0 ? a.start_at + a.duration : type?.duration ? a.start_at + type.duration * 60 : a.start_at);
  if (endEpoch < a.start_at) return { kind: 'malformed', id: a.id, reason: 'ends before it starts' };
  const end = localParts(endEpoch, zone);
  const statusName = a.status_id ? (l.statuses.get(a.status_id)?.name ?? null) : null;
  const resources = a.resources.map((id) => ({ id, r: l.resources.get(id) }));
  const room = resources.find((x) => isRoomResource(x.r));
  const provider = resources.find((x) => !isRoomResource(x.r));
  const animal = a.animal_id ? l.animals.get(a.animal_id) : undefined;
  const contactId = a.contact_id ?? animal?.contact_id ?? null;
  const contact = contactId ? l.contacts.get(contactId) : undefined;
  const channels = contactId ? contactChannels(l.details.get(contactId), l.detailTypes) : { phones: [], emails: [] };
  const consult = a.consult_id ? l.consults.get(a.consult_id) : undefined;
  const updated = later(a.modified_at, consult?.modified_at ?? null);
  const candidate = {
    id: a.id,
    date: start.date,
    startTime: start.time,
    endDate: end.date,
    endTime: end.time,
    startAt: start.instant.toISOString(),
    endAt: end.instant.toISOString(),
    status: mapEzyvetStatus(statusName, { cancellationReason: a.cancellation_reason_text }),
    rawStatus: statusName ?? a.status_id,
    type: type?.name ?? null,
    reason: reasonOf(a.description),
    consultationId: a.consult_id,
    provider: provider ? { id: provider.id, name: provider.r?.name ?? null } : null,
    room: room ? { id: room.id, name: room.r?.name ?? null } : null,
    patient: a.animal_id
      ? {
          id: a.animal_id,
          name: animal?.name ?? null,
          species: animal?.species_id ? (l.species.get(animal.species_id)?.name ?? null) : null,
          breed: animal?.breed_id ? (l.breeds.get(animal.breed_id)?.name ?? null) : null,
        }
      : null,
    client: contactId
      ? { id: contactId, firstName: contact?.first_name ?? null, lastName: contact?.last_name ?? null, phone: channels.phones[0] ?? null, email: channels.emails[0] ?? null }
      : null,
    lastUpdatedAt: updated === null ? null : formatLocalDateTime(new Date(updated * 1000), zone),
  };
  const parsed = PimsAppointment.safeParse(candidate);
  if (!parsed.success) return { kind: 'malformed', id: a.id, reason: 'unreadable fields' };
  return { kind: 'appointment', appointment: parsed.data };
}

/** The parts of a consult's clinical record (docs/ezyvet-wire.md 4.5). */
export interface ClinicalRecord {
  consult: EzConsult;
  assessments: readonly EzClinicalNote[];
  plans: readonly EzClinicalNote[];
  problems: readonly string[];
  lines: readonly EzInvoiceLine[];
}

function joinNotes(notes: readonly EzClinicalNote[]): string | null {
  const texts = [...notes]
    .filter((n) => n.active && n.notes !== null)
    .sort((a, b) => compareIds(a.id, b.id))
    .map((n) => n.notes as string);
  return texts.length > 0 ? texts.join('\n\n') : null;
}

export function toConsultation(r: ClinicalRecord, zone: string): PimsConsultation | null {
  const candidate = {
    id: r.consult.id,
    status: r.consult.status,
    notes: joinNotes(r.assessments),
    dischargeSummary: joinNotes(r.plans),
    diagnoses: [...r.problems],
    products: [...r.lines]
      .filter((x) => x.active && x.name !== null)
      .sort((a, b) => compareIds(a.id, b.id))
      .map((x) => ({ name: x.name as string, quantity: x.quantity, isDeclined: x.is_declined ?? false })),
    reason: r.consult.reason,
    date: r.consult.date === null ? null : formatLocalDateTime(new Date(r.consult.date * 1000), zone),
  };
  const parsed = PimsConsultation.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

function hhmm(t: string): string {
  return t.slice(0, 5);
}

export function toScheduleConfig(input: {
  resources: readonly EzResource[];
  types: readonly EzAppointmentType[];
  site: EzSiteInformation | null;
}): PimsScheduleConfig | null {
  const active = <T extends { active: boolean }>(xs: readonly T[]) => xs.filter((x) => x.active);
  const resources = active(input.resources).sort((a, b) => compareIds(a.id, b.id));
  const types = active(input.types)
    .filter((t) => t.name !== null && !/^\s*(block|roster)/i.test(t.name))
    .sort((a, b) => compareIds(a.id, b.id));
  const durations = types.map((t) => t.duration).filter((d): d is number => d !== null && Number.isInteger(d) && d > 0);
  const site = input.site;
  const interval = site?.slot_interval && Number.isInteger(site.slot_interval) && site.slot_interval > 0 ? site.slot_interval : durations.length > 0 ? Math.min(...durations) : 30;
  const candidate = {
    slotIntervalMinutes: interval,
    businessHours: (site?.business_hours ?? []).map((h) => ({ daysOfWeek: [...h.days_of_week], startTime: hhmm(h.start_time), endTime: hhmm(h.end_time) })),
    rooms: resources.filter((r) => isRoomResource(r)).map((r) => ({ id: r.id, name: r.name ?? r.id })),
    providers: resources.filter((r) => !isRoomResource(r)).map((r) => ({ id: r.id, name: r.name ?? r.id })),
    appointmentTypes: types.map((t) => ({ id: t.id, name: t.name as string, durationMinutes: t.duration !== null && Number.isInteger(t.duration) && t.duration > 0 ? t.duration : null })),
  };
  const parsed = PimsScheduleConfig.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}
