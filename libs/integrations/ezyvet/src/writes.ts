import type { z } from 'zod';
import {
  FindClientsQuery,
  FindPatientsQuery,
  NewPimsAppointment,
  NewPimsClient,
  NewPimsPatient,
  pimsBadResponse,
  pimsConflict,
  pimsNotFound,
  type CreatedPimsAppointment,
  type CreatedPimsClient,
  type CreatedPimsPatient,
  type FoundPimsAppointment,
  type PimsClientMatch,
  type PimsPatientMatch,
  type PimsWriteOptions,
  type PimsWriteSession,
} from '@pims/pims';
import { AppError, formatLocalDateTime, instantOfLocalCompatible } from '@pims/util';
import { EzyvetHttp } from './http';
import type { SafeLogger } from './logger';
import { bookingDescription, bookingMarker, compareIds, contactChannels, isEmailType, MARKER } from './normalize';
import { mapEzyvetStatus } from './status';
import type { EzyvetSession } from './session';
import { EzAnimal, EzAppointment, EzContact, EzContactDetail, EzNamed, rawId } from './wire';

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new AppError('invalid_input', `Invalid ${what}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`, { status: 400 });
  }
  return r.data;
}

const digits = (s: string | null | undefined) => (s ?? '').replace(/\D/g, '');
const lower = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

/** Two phone numbers are one when their digits are (the last ten, when both have as many). */
export function samePhone(a: string | null | undefined, b: string | null | undefined): boolean {
  const x = digits(a);
  const y = digits(b);
  if (x === '' || y === '') return false;
  if (x.length >= 10 && y.length >= 10) return x.slice(-10) === y.slice(-10);
  return x === y;
}

/**
 * The contact-detail filter for a phone: its last four digits at the end of the value (contiguous in
 * every way of writing a number), to compare digit by digit afterwards (docs/ezyvet-wire.md 7.1).
 */
export function phoneFilter(phone: string): { like: string } | null {
  const d = digits(phone);
  return d.length >= 4 ? { like: `%${d.slice(-4)}` } : null;
}

/** A like filter for a name part (ezyVet compares case-sensitively; `%` and `_` are its wildcards). */
function likeName(name: string): { like: string } {
  return { like: `%${name.trim().replace(/[%_]/g, '')}%` };
}

/**
 * ezyVet's write side (docs/ezyvet-wire.md section 7): searches through contact details, contacts
 * and animals; creates through POST; bookings through /ezycab/booking, exactly once by our marker.
 */
export class EzyvetWrites implements PimsWriteSession {
  constructor(
    private readonly session: EzyvetSession,
    private readonly logger: SafeLogger,
  ) {}

  private get http(): EzyvetHttp {
    return this.session.http;
  }

  // ---- searches ------------------------------------------------------------------------------------

  private async detailTypes(signal?: AbortSignal): Promise<Map<string, EzNamed>> {
    return (await this.session.refs(signal)).detailTypes;
  }

  private async isEmailDetail(d: EzContactDetail, signal?: AbortSignal): Promise<boolean> {
    const types = await this.detailTypes(signal);
    const name = d.contact_detail_type_id ? (types.get(d.contact_detail_type_id)?.name ?? d.name) : d.name;
    return isEmailType(name) || (name === null && (d.value ?? '').includes('@'));
  }

  private async contactIdsByPhone(phone: string, signal?: AbortSignal): Promise<string[]> {
    const filter = phoneFilter(phone);
    if (!filter) return [];
    const r = await this.session.listAll('contactdetail', '/v1/contactdetail', EzContactDetail, { active: 1, value: filter }, signal);
    const out: string[] = [];
    for (const d of r.ok) if (d.active && d.contact_id && !(await this.isEmailDetail(d, signal)) && samePhone(d.value, phone)) out.push(d.contact_id);
    return out;
  }

  private async contactIdsByEmail(email: string, signal?: AbortSignal): Promise<string[]> {
    const values = [...new Set([email.trim(), email.trim().toLowerCase()])];
    const r = await this.session.listAll('contactdetail', '/v1/contactdetail', EzContactDetail, { active: 1, value: { in: values } }, signal);
    const out: string[] = [];
    for (const d of r.ok) if (d.active && d.contact_id && lower(d.value) === lower(email) && (await this.isEmailDetail(d, signal))) out.push(d.contact_id);
    return out;
  }

  private async contactIdsByName(name: string, signal?: AbortSignal): Promise<string[]> {
    const [first, last] = await Promise.all([
      this.session.listAll('contact', '/v1/contact', EzContact, { active: 1, first_name: likeName(name) }, signal),
      this.session.listAll('contact', '/v1/contact', EzContact, { active: 1, last_name: likeName(name) }, signal),
    ]);
    return [...first.ok, ...last.ok].filter((c) => c.active).map((c) => c.id);
  }

  /** The clients with these ids, each with its phones, email and patients (active ones, in id order). */
  private async clientMatches(ids: readonly string[], signal?: AbortSignal): Promise<PimsClientMatch[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const [contacts, details, animals, types] = await Promise.all([
      this.session.byIds('contact', '/v1/contact', EzContact, unique, signal),
      this.session.detailsOf(unique, signal),
      this.animalsOf(unique, signal),
      this.detailTypes(signal),
    ]);
    const cache = this.session.config.cache();
    await this.session.ensureSpecies(cache, animals, signal);
    const names = this.session.lookups(cache, await this.session.refs(signal));
    return contacts
      .filter((c) => c.active)
      .sort((a, b) => compareIds(a.id, b.id))
      .map((c) => {
        const ch = contactChannels(
          details.filter((d) => d.contact_id === c.id),
          types,
        );
        return {
          clientId: c.id,
          firstName: c.first_name,
          lastName: c.last_name,
          phone: ch.phones[0] ?? null,
          phones: ch.phones,
          email: ch.emails[0] ?? null,
          patients: animals
            .filter((a) => a.contact_id === c.id && a.active)
            .sort((a, b) => compareIds(a.id, b.id))
            .map((a) => ({
              patientId: a.id,
              name: a.name,
              species: a.species_id ? (names.species.get(a.species_id)?.name ?? null) : null,
              breed: a.breed_id ? (names.breeds.get(a.breed_id)?.name ?? null) : null,
            })),
        };
      });
  }

  private async animalsOf(contactIds: readonly string[], signal?: AbortSignal): Promise<EzAnimal[]> {
    const out: EzAnimal[] = [];
    for (let i = 0; i < contactIds.length; i += 100) {
      const r = await this.session.listAll('animal', '/v1/animal', EzAnimal, { active: 1, contact_id: { in: contactIds.slice(i, i + 100) } }, signal);
      out.push(...r.ok);
    }
    return out;
  }

  async findClients(query: FindClientsQuery, opts: PimsWriteOptions = {}): Promise<PimsClientMatch[]> {
    const q = parse(FindClientsQuery, query, 'client search');
    const ids: string[] = [];
    if (q.phone !== undefined) ids.push(...(await this.contactIdsByPhone(q.phone, opts.signal)));
    if (q.email !== undefined) ids.push(...(await this.contactIdsByEmail(q.email, opts.signal)));
    if (q.name !== undefined) ids.push(...(await this.contactIdsByName(q.name, opts.signal)));
    return this.clientMatches(ids, opts.signal);
  }

  async findPatients(query: FindPatientsQuery, opts: PimsWriteOptions = {}): Promise<PimsPatientMatch[]> {
    const q = parse(FindPatientsQuery, query, 'patient search');
    // Every patient of an owner found by phone, email or name; and the pets of that name.
    const owners = new Set<string>();
    const pets = new Set<string>();
    const petOwners: string[] = [];
    if (q.phone !== undefined) for (const id of await this.contactIdsByPhone(q.phone, opts.signal)) owners.add(id);
    if (q.email !== undefined) for (const id of await this.contactIdsByEmail(q.email, opts.signal)) owners.add(id);
    if (q.name !== undefined) {
      const named = await this.session.listAll('animal', '/v1/animal', EzAnimal, { active: 1, name: likeName(q.name) }, opts.signal);
      for (const a of named.ok) {
        if (!a.active || a.contact_id === null) continue;
        pets.add(a.id);
        petOwners.push(a.contact_id);
      }
      for (const id of await this.contactIdsByName(q.name, opts.signal)) owners.add(id);
    }
    const found = new Map<string, PimsPatientMatch>();
    for (const c of await this.clientMatches([...owners, ...petOwners], opts.signal)) {
      for (const p of c.patients) {
        if (!(owners.has(c.clientId) || pets.has(p.patientId)) || found.has(p.patientId)) continue;
        found.set(p.patientId, { ...p, client: { clientId: c.clientId, firstName: c.firstName, lastName: c.lastName, phone: c.phone, email: c.email } });
      }
    }
    return [...found.values()];
  }

  // ---- client and patient ---------------------------------------------------------------------------

  private async addDetail(contactId: string, typeName: 'Mobile' | 'Email', value: string, signal?: AbortSignal): Promise<void> {
    const types = await this.detailTypes(signal);
    const type = [...types.values()].find((t) => lower(t.name) === lower(typeName)) ?? [...types.values()].find((t) => (typeName === 'Email' ? isEmailType(t.name) : !isEmailType(t.name)));
    const has = async (): Promise<true | null> => {
      const details = await this.session.detailsOf([contactId], signal);
      return details.some((d) => (typeName === 'Email' ? lower(d.value) === lower(value) : samePhone(d.value, value))) ? true : null;
    };
    await this.http.write(
      'contactdetail',
      'POST',
      '/v1/contactdetail',
      { contact_id: contactId, contact_detail_type_id: type?.id ?? null, name: type?.name ?? typeName, value },
      { signal, beforeResend: has },
    );
  }

  async createClient(input: NewPimsClient, opts: PimsWriteOptions = {}): Promise<CreatedPimsClient> {
    const c = parse(NewPimsClient, input, 'client');
    const signal = opts.signal;
    // After a lost answer, ours is a contact with these names that was not there before the first send.
    const named = async () => {
      const r = await this.session.listAll('contact', '/v1/contact', EzContact, { active: 1, first_name: c.firstName, last_name: c.lastName }, signal);
      return r.ok.filter((x) => lower(x.first_name) === lower(c.firstName) && lower(x.last_name) === lower(c.lastName));
    };
    const before = new Set((await named()).map((x) => x.id));
    const lookup = async (): Promise<CreatedPimsClient | null> => {
      const fresh = (await named()).filter((x) => !before.has(x.id)).sort((a, b) => compareIds(b.id, a.id));
      return fresh.length > 0 ? { clientId: fresh[0].id } : null;
    };
    const result = await this.http.write<CreatedPimsClient>('contact', 'POST', '/v1/contact', { first_name: c.firstName, last_name: c.lastName, is_customer: 1 }, { signal, beforeResend: lookup });
    let clientId: string | null;
    if (result.kind === 'found') clientId = result.value.clientId;
    else clientId = rawId(EzyvetHttp.single(result.body, 'contact')) ?? (await lookup())?.clientId ?? null;
    if (!clientId) throw pimsBadResponse('ezyVet saved the contact but named no id');
    if (c.phone) await this.addDetail(clientId, 'Mobile', c.phone, signal);
    if (c.email) await this.addDetail(clientId, 'Email', c.email, signal);
    this.logger.info({ clientId }, 'Created a contact in ezyVet');
    return { clientId };
  }

  private async idByName(endpoint: 'species' | 'breed', name: string | undefined, signal?: AbortSignal): Promise<string | null> {
    if (name === undefined) return null;
    const r = await this.session.listAll(endpoint, `/v1/${endpoint}`, EzNamed, { active: 1, name }, signal);
    let hit = r.ok.find((x) => lower(x.name) === lower(name));
    if (!hit) {
      const loose = await this.session.listAll(endpoint, `/v1/${endpoint}`, EzNamed, { active: 1, name: likeName(name) }, signal);
      hit = loose.ok.find((x) => lower(x.name) === lower(name));
    }
    return hit?.id ?? null;
  }

  async createPatient(input: NewPimsPatient, opts: PimsWriteOptions = {}): Promise<CreatedPimsPatient> {
    const p = parse(NewPimsPatient, input, 'patient');
    const signal = opts.signal;
    const [speciesId, breedId] = await Promise.all([this.idByName('species', p.species, signal), this.idByName('breed', p.breed, signal)]);
    // After a lost answer, ours is an animal of that client with that name that was not there before.
    const named = async () => {
      const r = await this.session.listAll('animal', '/v1/animal', EzAnimal, { active: 1, contact_id: p.clientId }, signal);
      return r.ok.filter((a) => lower(a.name) === lower(p.name));
    };
    const before = new Set((await named()).map((x) => x.id));
    const lookup = async (): Promise<CreatedPimsPatient | null> => {
      const fresh = (await named()).filter((x) => !before.has(x.id)).sort((a, b) => compareIds(b.id, a.id));
      return fresh.length > 0 ? { patientId: fresh[0].id } : null;
    };
    const body: Record<string, unknown> = { name: p.name, contact_id: p.clientId };
    if (speciesId) body.species_id = speciesId;
    if (breedId) body.breed_id = breedId;
    const result = await this.http.write<CreatedPimsPatient>('animal', 'POST', '/v1/animal', body, { signal, beforeResend: lookup });
    if (result.kind === 'found') return result.value;
    const id = rawId(EzyvetHttp.single(result.body, 'animal')) ?? (await lookup())?.patientId ?? null;
    if (!id) throw pimsBadResponse('ezyVet saved the animal but named no id');
    this.logger.info({ patientId: id }, 'Created an animal in ezyVet');
    return { patientId: id };
  }

  // ---- appointments --------------------------------------------------------------------------------

  private startEpoch(a: NewPimsAppointment): number {
    const instant = instantOfLocalCompatible(a.date, a.startTime.length === 5 ? `${a.startTime}:00` : a.startTime, this.session.timezone);
    if (!instant) throw new AppError('invalid_input', `No such time in ${this.session.timezone}: ${a.date} ${a.startTime}`, { status: 400 });
    return Math.floor(instant.getTime() / 1000);
  }

  /** The live appointments we booked for that patient at that start (that type, that reference), newest first. */
  private async booked(a: NewPimsAppointment, signal?: AbortSignal): Promise<string[]> {
    const start = this.startEpoch(a);
    const r = await this.session.listAll('appointment', '/v2/appointment', EzAppointment, { active: 1, animal_id: a.patientId, start_at: start }, signal);
    const refs = await this.session.refs(signal);
    const wanted = a.reference === undefined ? MARKER : bookingMarker(a.reference);
    return r.ok
      .filter((x) => x.active && x.animal_id === a.patientId && x.start_at === start)
      .filter((x) => (x.description ?? '').includes(wanted))
      .filter((x) => a.typeId === undefined || x.type_id === a.typeId)
      .filter((x) => {
        const s = mapEzyvetStatus(x.status_id ? (refs.statuses.get(x.status_id)?.name ?? null) : null, { cancellationReason: x.cancellation_reason_text });
        return s !== 'cancelled' && s !== 'no_show';
      })
      .sort((x, y) => (y.created_at ?? 0) - (x.created_at ?? 0) || compareIds(y.id, x.id))
      .map((x) => x.id);
  }

  async findBookedAppointment(input: NewPimsAppointment, opts: PimsWriteOptions = {}): Promise<FoundPimsAppointment | null> {
    const a = parse(NewPimsAppointment, input, 'appointment');
    const [id] = await this.booked(a, opts.signal);
    return id ? { appointmentId: id } : null;
  }

  async createAppointment(input: NewPimsAppointment, opts: PimsWriteOptions = {}): Promise<CreatedPimsAppointment> {
    const a = parse(NewPimsAppointment, input, 'appointment');
    const signal = opts.signal;
    const first = async () => (await this.booked(a, signal))[0] ?? null;
    const existing = await first();
    if (existing) {
      this.logger.info({ appointmentId: existing, date: a.date, startTime: a.startTime }, 'ezyVet already holds this booking; not creating it again');
      return { appointmentId: existing, created: false };
    }
    // The uids the booking endpoint takes (docs/ezyvet-wire.md 7.5).
    const animals = await this.session.byIds('animal', '/v1/animal', EzAnimal, [a.patientId], signal);
    const animal = animals.find((x) => x.id === a.patientId && x.active);
    if (!animal) throw pimsNotFound(`ezyVet has no animal ${a.patientId}`);
    const contact = animal.contact_id ? (await this.session.byIds('contact', '/v1/contact', EzContact, [animal.contact_id], signal)).find((c) => c.id === animal.contact_id) : undefined;
    const refs = await this.session.refs(signal);
    const types = [...refs.types.values()].filter((t) => t.active && !/^\s*(block|roster)/i.test(t.name ?? '')).sort((x, y) => compareIds(x.id, y.id));
    const type = a.typeId !== undefined ? refs.types.get(a.typeId) : types[0];
    if (!type) throw pimsNotFound(a.typeId !== undefined ? `ezyVet has no appointment type ${a.typeId}` : 'ezyVet lists no appointment type to book with');
    const resourceId = a.providerId ?? a.roomId;
    const resource = resourceId !== undefined ? refs.resources.get(resourceId) : [...refs.resources.values()].filter((r) => r.active).sort((x, y) => compareIds(x.id, y.id))[0];
    if (!resource) throw pimsNotFound(resourceId !== undefined ? `ezyVet has no resource ${resourceId}` : 'ezyVet lists no resource to book with');
    const uid = (what: string, x: { uid: string | null } | undefined) => {
      if (!x?.uid) throw pimsBadResponse(`ezyVet sent the ${what} without a uid`);
      return x.uid;
    };
    const start = this.startEpoch(a);
    const startTime = formatIsoWithOffset(new Date(start * 1000), this.session.timezone);
    const body = {
      startTime,
      durationMinutes: a.durationMinutes,
      type: uid('appointment type', type),
      animal: uid('animal', animal),
      contact: contact ? uid('contact', contact) : undefined,
      provider: uid('resource', resource),
      appointmentStatus: 'unconfirmed',
      description: bookingDescription(a.reason, a.reference),
    };
    const result = await this.http.write<string>('booking', 'POST', '/ezycab/booking', body, { signal, beforeResend: first });
    // The next read of the calendar asks ezyVet again rather than answer from a fresh cache.
    this.session.config.cache().invalidate();
    if (result.kind === 'found') return { appointmentId: result.value, created: true };
    const answer = typeof result.body === 'object' && result.body !== null ? (result.body as Record<string, unknown>) : {};
    const appointmentUid = typeof answer.appointment === 'string' ? answer.appointment : null;
    if (appointmentUid) {
      const r = await this.session.listAll('appointment', '/v2/appointment', EzAppointment, { uid: appointmentUid }, signal);
      const hit = r.ok.find((x) => x.uid === appointmentUid);
      if (hit) {
        this.logger.info({ appointmentId: hit.id, date: a.date, startTime: a.startTime }, 'Booked an appointment in ezyVet');
        return { appointmentId: hit.id, created: true };
      }
    }
    const id = await first();
    if (id) return { appointmentId: id, created: true };
    throw pimsBadResponse(`ezyVet accepted the booking on ${a.date} at ${a.startTime} but it cannot be found; not retrying (it may exist: look for it before booking again)`, {
      details: { date: a.date, startTime: a.startTime, patientId: a.patientId },
    });
  }

  async cancelAppointment(appointmentId: string, reason: string, opts: PimsWriteOptions = {}): Promise<void> {
    const id = typeof appointmentId === 'string' ? appointmentId.trim() : '';
    if (id === '') throw new AppError('invalid_input', 'An appointment id is required', { status: 400 });
    const signal = opts.signal;
    const refs = await this.session.refs(signal);
    const read = async () => {
      const r = await this.session.listAll('appointment', '/v2/appointment', EzAppointment, { id }, signal);
      return r.ok.find((x) => x.id === id) ?? null;
    };
    const statusOf = (x: EzAppointment) => mapEzyvetStatus(x.status_id ? (refs.statuses.get(x.status_id)?.name ?? null) : null, { cancellationReason: x.cancellation_reason_text });
    const current = await read();
    if (!current || !current.active) throw pimsNotFound(`ezyVet has no appointment ${id}`);
    if (statusOf(current) === 'cancelled') return;
    if (statusOf(current) === 'completed') throw pimsConflict(`ezyVet appointment ${id} is finished; it cannot be cancelled`);
    const cancelled = [...refs.statuses.values()].find((s) => s.active && mapEzyvetStatus(s.name) === 'cancelled');
    if (!cancelled) throw pimsBadResponse('ezyVet lists no Cancelled appointment status');
    const done = async (): Promise<true | null> => {
      const now = await read();
      return !now || !now.active || statusOf(now) === 'cancelled' ? true : null;
    };
    await this.http.write('cancelAppointment', 'PATCH', `/v2/appointment/${encodeURIComponent(id)}`, { status_id: cancelled.id, cancellation_reason_text: String(reason ?? '').trim() || 'Cancelled' }, { signal, beforeResend: done });
    this.session.config.cache().invalidate();
    this.logger.info({ appointmentId: id }, 'Cancelled an appointment in ezyVet');
  }
}

/** 'YYYY-MM-DDTHH:MM:SS±HH:MM' of an instant in a zone. */
export function formatIsoWithOffset(instant: Date, zone: string): string {
  const [date, time] = formatLocalDateTime(instant, zone).split(' ');
  const wall = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), Number(time.slice(0, 2)), Number(time.slice(3, 5)), Number(time.slice(6, 8)));
  const offset = Math.round((wall - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${date}T${time}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
