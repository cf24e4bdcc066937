import {
  FindClientsQuery,
  FindPatientsQuery,
  NewPimsAppointment,
  NewPimsClient,
  NewPimsPatient,
  pimsBadResponse,
  type CreatedPimsAppointment,
  type CreatedPimsClient,
  type CreatedPimsPatient,
  type FoundPimsAppointment,
  type PimsClientMatch,
  type PimsPatientMatch,
  type PimsWriteOptions,
  type PimsWriteSession,
} from '@pims/pims';
import { AppError, addDays } from '@pims/util';
import type { z } from 'zod';
import type { SafeLogger } from './logger';
import type { NeoHttp } from './neo-http';
import { extractEventList, flag, normalizeEvent, str } from './normalize';
import { sleep } from './retry';
import { mapNeoStatus } from './status';

/** What the write side needs of its session. */
export interface NeoWriteContext {
  base: string;
  companyId: string | null;
  timezone: string;
  http: NeoHttp;
  logger: SafeLogger;
  /** The logged-in user's name as Neo shows it (`booked_by` of what this session books), or null when unknown. */
  userName(): string | null;
  /** Waits before the read-back after a create is repeated (tests shorten it). */
  readBackDelaysMs?: readonly number[];
}

type Rec = Record<string, unknown>;
const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new AppError('invalid_input', `Invalid ${what}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`, { status: 400 });
  }
  return r.data;
}

const digits = (s: string | null | undefined) => (s ?? '').replace(/\D/g, '');

/** Two phone numbers are the same when their digits are (the last ten, when both have at least ten). */
export function samePhone(a: string | null | undefined, b: string | null | undefined): boolean {
  const x = digits(a);
  const y = digits(b);
  if (x === '' || y === '') return false;
  if (x.length >= 10 && y.length >= 10) return x.slice(-10) === y.slice(-10);
  return x === y;
}

/** What to type into Neo's search for a phone number: its last ten digits (national numbers match too). */
export function phoneSearchTerm(phone: string): string {
  const d = digits(phone);
  return d.length > 10 ? d.slice(-10) : d;
}

const lower = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

/** A name of a pick-list value (`{id, name}`) or a plain string. */
function nameOf(v: unknown): string | null {
  if (isRecord(v)) return str(v.name);
  return str(v);
}

/** The patient objects of a /search/patients answer (suggested and full list, each id once). */
export function extractPatientObjects(body: unknown): Rec[] {
  const lists: unknown[] = [];
  if (Array.isArray(body)) lists.push(body);
  else if (isRecord(body)) {
    const results = isRecord(body.results) ? body.results : body;
    for (const key of ['suggested', 'patients']) {
      const v = results[key];
      if (Array.isArray(v)) lists.push(v);
      else if (isRecord(v)) {
        if (Array.isArray(v.objects)) lists.push(v.objects);
        else if (Array.isArray(v.data)) lists.push(v.data);
      }
    }
    if (lists.length === 0 && Array.isArray(body.data)) lists.push(body.data);
  }
  if (lists.length === 0) throw pimsBadResponse('IDEXX Neo sent a patient search in an unexpected format');
  const seen = new Map<string, Rec>();
  for (const list of lists as unknown[][]) {
    for (const o of list) {
      if (!isRecord(o)) continue;
      const id = str(o.id);
      if (id && !seen.has(id)) seen.set(id, o);
    }
  }
  return [...seen.values()];
}

/** A patient search object as the port's match; null without a patient or owner id. */
export function toPatientMatch(o: Rec): PimsPatientMatch | null {
  const patientId = str(o.id);
  const c = isRecord(o.client) ? o.client : isRecord(o.owner) ? o.owner : null;
  const clientId = c ? str(c.id) : null;
  if (!patientId || !c || !clientId) return null;
  return {
    patientId,
    name: str(o.name),
    species: nameOf(o.species),
    breed: nameOf(o.breed),
    client: {
      clientId,
      firstName: str(c.firstName ?? c.first_name),
      lastName: str(c.lastName ?? c.last_name),
      phone: str(c.mobilePhone ?? c.mobile_phone) ?? str(c.homePhone ?? c.home_phone) ?? str(c.workPhone ?? c.phone),
      email: str(c.email),
    },
  };
}

/** The clients of a /clients/search answer: `clients`, `data`, `results`, or a bare array. */
export function extractClients(body: unknown): Rec[] {
  const list = Array.isArray(body)
    ? body
    : isRecord(body)
      ? ([body.clients, body.data, body.results].find((v) => Array.isArray(v)) as unknown[] | undefined)
      : undefined;
  if (!list) throw pimsBadResponse('IDEXX Neo sent a client search in an unexpected format');
  return list.filter(isRecord);
}

/** A client search object as the port's match (phones: mobile, home, work); null without an id. */
export function toClientMatch(c: Rec): PimsClientMatch | null {
  const clientId = str(c.id);
  if (!clientId) return null;
  const phones = [c.mobilePhone ?? c.mobile_phone, c.homePhone ?? c.home_phone, c.workPhone ?? c.work_phone, c.phone]
    .map(str)
    .filter((p): p is string => p !== null)
    .filter((p, i, all) => all.indexOf(p) === i);
  const patients = (Array.isArray(c.patients) ? c.patients : Array.isArray(c.animals) ? c.animals : [])
    .filter(isRecord)
    .map((p) => ({ patientId: str(p.id), name: str(p.name), species: nameOf(p.species), breed: nameOf(p.breed), alive: p.alive === undefined ? true : flag(p.alive) }))
    .filter((p): p is { patientId: string; name: string | null; species: string | null; breed: string | null; alive: boolean } => p.patientId !== null && p.alive)
    .map(({ alive: _alive, ...p }) => p);
  return {
    clientId,
    firstName: str(c.firstName ?? c.first_name),
    lastName: str(c.lastName ?? c.last_name),
    phone: phones[0] ?? null,
    phones,
    email: str(c.email),
    patients,
  };
}

/** 'HH:MM' of a clinic-local time 'HH:MM[:SS]' plus minutes (wall clock, wrapping at midnight). */
function addMinutesToTime(time: string, minutes: number): string {
  const [h, m] = time.split(':').map(Number);
  const total = (((h * 60 + m + minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

/** The note an appointment booked with our reference carries (how a later read tells it apart). */
export function referenceNote(reference: string): string {
  return `Online booking ref ${reference}`;
}

/**
 * IDEXX Neo's write side (docs/idexx-neo-wire.md, "Writes"): the searches and creates through the
 * logged-in context, and createAppointment exactly once although Neo answers it without an id.
 */
export class NeoWrites implements PimsWriteSession {
  private types: Promise<{ id: string; name: string }[]> | null = null;

  constructor(private readonly ctx: NeoWriteContext) {}

  private get referer(): string {
    return `${this.ctx.base}/schedule`;
  }

  // ---- searches --------------------------------------------------------------------------------

  private async searchPatients(q: string, signal?: AbortSignal): Promise<PimsPatientMatch[]> {
    const body = await this.ctx.http.requestJson('searchPatients', `/search/patients?q=${encodeURIComponent(q)}&json=true&suggested=true&limit=100`, { referer: this.referer, signal });
    return extractPatientObjects(body)
      .map(toPatientMatch)
      .filter((m): m is PimsPatientMatch => m !== null);
  }

  private async searchClients(term: string, signal?: AbortSignal): Promise<PimsClientMatch[]> {
    const body = await this.ctx.http.requestJson('searchClients', `/clients/search?term=${encodeURIComponent(term)}`, { referer: `${this.ctx.base}/clients`, signal });
    return extractClients(body)
      .map(toClientMatch)
      .filter((m): m is PimsClientMatch => m !== null);
  }

  async findPatients(query: FindPatientsQuery, opts: PimsWriteOptions = {}): Promise<PimsPatientMatch[]> {
    const q = parse(FindPatientsQuery, query, 'patient search');
    const found = new Map<string, PimsPatientMatch>();
    const add = (m: PimsPatientMatch) => {
      if (!found.has(m.patientId)) found.set(m.patientId, m);
    };
    if (q.phone !== undefined) {
      const term = phoneSearchTerm(q.phone);
      if (term.length >= 3) {
        // The search object carries the owner's home and mobile phones; keep the exact matches.
        const body = await this.ctx.http.requestJson('searchPatients', `/search/patients?q=${encodeURIComponent(term)}&json=true&suggested=true&limit=100`, {
          referer: this.referer,
          signal: opts.signal,
        });
        for (const o of extractPatientObjects(body)) {
          const c = isRecord(o.client) ? o.client : null;
          const phones = c ? [c.homePhone, c.mobilePhone, c.workPhone, c.phone].map(str) : [];
          const m = toPatientMatch(o);
          if (m && phones.some((p) => samePhone(p, q.phone))) add(m);
        }
      }
    }
    if (q.email !== undefined) {
      // Neo's patient objects carry no email: the client search does.
      for (const c of await this.searchClients(q.email, opts.signal)) {
        if (lower(c.email) !== lower(q.email)) continue;
        for (const p of c.patients) {
          add({ ...p, client: { clientId: c.clientId, firstName: c.firstName, lastName: c.lastName, phone: c.phone, email: c.email } });
        }
      }
    }
    if (q.name !== undefined) for (const m of await this.searchPatients(q.name, opts.signal)) add(m);
    return [...found.values()];
  }

  async findClients(query: FindClientsQuery, opts: PimsWriteOptions = {}): Promise<PimsClientMatch[]> {
    const q = parse(FindClientsQuery, query, 'client search');
    const found = new Map<string, PimsClientMatch>();
    const add = (c: PimsClientMatch) => {
      if (!found.has(c.clientId)) found.set(c.clientId, c);
    };
    if (q.phone !== undefined) {
      const term = phoneSearchTerm(q.phone);
      if (term.length >= 3) for (const c of await this.searchClients(term, opts.signal)) if (c.phones.some((p) => samePhone(p, q.phone))) add(c);
    }
    if (q.email !== undefined) for (const c of await this.searchClients(q.email, opts.signal)) if (lower(c.email) === lower(q.email)) add(c);
    if (q.name !== undefined) for (const c of await this.searchClients(q.name, opts.signal)) add(c);
    return [...found.values()];
  }

  // ---- client and patient ------------------------------------------------------------------------

  async createClient(input: NewPimsClient, opts: PimsWriteOptions = {}): Promise<CreatedPimsClient> {
    const c = parse(NewPimsClient, input, 'client');
    // Before sending it again after a lost answer: the client with these names and this phone / email.
    const lookup = async (): Promise<CreatedPimsClient | null> => {
      const term = c.phone ? phoneSearchTerm(c.phone) : (c.email ?? c.lastName);
      const hits = (await this.searchClients(term, opts.signal)).filter(
        (x) =>
          lower(x.firstName) === lower(c.firstName) &&
          lower(x.lastName) === lower(c.lastName) &&
          (c.phone === undefined || x.phones.some((p) => samePhone(p, c.phone))) &&
          (c.email === undefined || lower(x.email) === lower(c.email)),
      );
      return hits.length > 0 ? { clientId: hits[hits.length - 1].clientId } : null;
    };
    const result = await this.ctx.http.requestWrite(
      'createClient',
      '/clients/create',
      { json: { firstName: c.firstName, lastName: c.lastName, title: '', homePhone: '', workPhone: '', mobilePhone: c.phone ?? '', email: c.email ?? '' } },
      { referer: `${this.ctx.base}/clients/new`, signal: opts.signal, beforeResend: lookup },
    );
    if (result.kind === 'found') return result.value;
    const id = isRecord(result.data) && isRecord(result.data.client) ? str(result.data.client.id) : null;
    if (id) return { clientId: id };
    const found = await lookup();
    if (found) return found;
    throw pimsBadResponse('IDEXX Neo saved the client but named no id, and it cannot be found');
  }

  async createPatient(input: NewPimsPatient, opts: PimsWriteOptions = {}): Promise<CreatedPimsPatient> {
    const p = parse(NewPimsPatient, input, 'patient');
    const lookup = async (): Promise<CreatedPimsPatient | null> => {
      const hits = (await this.searchPatients(p.name, opts.signal)).filter((x) => x.client.clientId === p.clientId && lower(x.name) === lower(p.name));
      return hits.length > 0 ? { patientId: hits[hits.length - 1].patientId } : null;
    };
    const result = await this.ctx.http.requestWrite(
      'createPatient',
      '/patients/create',
      {
        json: {
          name: p.name,
          // Neo's form posts its pick-list entries as whole objects; by name, its own list supplies the id.
          species: p.species ? { id: null, name: p.species } : null,
          breed: p.breed ? { id: null, name: p.breed } : null,
          gender: null,
          dob: null,
          client: { id: p.clientId },
        },
      },
      { referer: `${this.ctx.base}/patients/new`, signal: opts.signal, beforeResend: lookup },
    );
    if (result.kind === 'found') return result.value;
    const id = isRecord(result.data) && isRecord(result.data.patient) ? str(result.data.patient.id) : null;
    if (id) return { patientId: id };
    const found = await lookup();
    if (found) return found;
    throw pimsBadResponse('IDEXX Neo saved the patient but named no id, and it cannot be found');
  }

  // ---- appointments ----------------------------------------------------------------------------

  /** Neo's appointment types (id -> name), from the calendar set-up; read once per session. */
  private async typeName(typeId: string, signal?: AbortSignal): Promise<string | null> {
    const load = async () => {
      const body = await this.ctx.http.requestJson('getAppointmentView', '/appointments/getAppointmentView', { referer: this.referer, signal });
      const list = isRecord(body) && Array.isArray(body.appointmentTypes) ? body.appointmentTypes : [];
      return list.filter(isRecord).flatMap((t) => {
        const id = str(t.id);
        const name = nameOf(t);
        return id && name ? [{ id, name }] : [];
      });
    };
    this.types ??= load().catch((err: unknown) => {
      this.types = null;
      throw err;
    });
    let found = (await this.types).find((t) => t.id === typeId);
    if (!found) {
      this.types = load();
      found = (await this.types).find((t) => t.id === typeId);
    }
    return found?.name ?? null;
  }

  /**
   * The live appointments this session's user booked for that patient at that date and start (that
   * type, that reference), newest first: read from the calendar of the day, as Neo names no id.
   */
  private async booked(a: NewPimsAppointment, signal?: AbortSignal): Promise<string[]> {
    const typeName = a.typeId !== undefined ? await this.typeName(a.typeId, signal) : null;
    const start = `${a.date} ${a.startTime.slice(0, 5)}`;
    const q = `start=${encodeURIComponent(`${a.date} 00:00:00`)}&end=${encodeURIComponent(`${addDays(a.date, 1)} 00:00:00`)}`;
    const body = await this.ctx.http.requestJson('getCalendarEventData', `/appointments/getCalendarEventData?${q}`, { referer: this.referer, signal });
    const me = lower(this.ctx.userName());
    const candidates: { id: string; bookedAt: string }[] = [];
    for (const raw of extractEventList(body)) {
      if (!isRecord(raw)) continue;
      const v = normalizeEvent(raw, this.ctx.timezone);
      if (v.kind !== 'appointment') continue;
      const e = v.appointment;
      if (e.patient?.id !== a.patientId || `${e.date} ${e.startTime.slice(0, 5)}` !== start) continue;
      if (e.status === 'cancelled' || e.status === 'no_show') continue;
      if (typeName !== null && lower(e.type) !== lower(typeName)) continue;
      if (me !== '' && lower(str(raw.booked_by ?? raw.bookedBy)) !== me) continue;
      candidates.push({ id: e.id, bookedAt: str(raw.booked_at ?? raw.bookedAt) ?? '' });
    }
    candidates.sort((x, y) => (x.bookedAt === y.bookedAt ? y.id.localeCompare(x.id) : x.bookedAt < y.bookedAt ? 1 : -1));
    if (a.reference === undefined) return candidates.map((c) => c.id);
    // The calendar carries no notes: the appointment itself does.
    const note = referenceNote(a.reference);
    const out: string[] = [];
    for (const c of candidates) {
      const detail = await this.ctx.http.requestJson('getAppointment', `/appointments/getAppointment?id=${encodeURIComponent(c.id)}`, { referer: this.referer, signal, allowNotFound: true });
      const appt = isRecord(detail) && isRecord(detail.appointment) ? detail.appointment : null;
      if (appt && (str(appt.notes) ?? '').includes(note)) out.push(c.id);
    }
    return out;
  }

  async findBookedAppointment(input: NewPimsAppointment, opts: PimsWriteOptions = {}): Promise<FoundPimsAppointment | null> {
    const a = parse(NewPimsAppointment, input, 'appointment');
    const [id] = await this.booked(a, opts.signal);
    return id ? { appointmentId: id } : null;
  }

  async createAppointment(input: NewPimsAppointment, opts: PimsWriteOptions = {}): Promise<CreatedPimsAppointment> {
    const a = parse(NewPimsAppointment, input, 'appointment');
    const log = { companyId: this.ctx.companyId, date: a.date, startTime: a.startTime };
    const first = async () => (await this.booked(a, opts.signal))[0] ?? null;

    const existing = await first();
    if (existing) {
      this.ctx.logger.info({ ...log, appointmentId: existing }, 'IDEXX Neo already holds this booking; not creating it again');
      return { appointmentId: existing, created: false };
    }
    const time = a.startTime.slice(0, 5);
    const form: Record<string, string> = {
      patient_id: a.patientId,
      appointment_date: a.date,
      time,
      time_end: addMinutesToTime(time, a.durationMinutes),
      useRealEndTime: '1',
      reason: a.reason,
    };
    if (a.typeId !== undefined) form.type_id = a.typeId;
    if (a.providerId !== undefined) form.user_id = a.providerId;
    if (a.roomId !== undefined) form.room = a.roomId;
    if (a.reference !== undefined) form.notes = referenceNote(a.reference);

    const result = await this.ctx.http.requestWrite('createAppointment', '/appointments/create', { multipart: form }, {
      referer: `${this.ctx.base}/schedule/appointments/new?date=${a.date}&time=${time}`,
      signal: opts.signal,
      beforeResend: first,
    });
    if (result.kind === 'found') return { appointmentId: result.value, created: true };
    // Neo names no id: read the calendar for it (a moment later once or twice, should it lag).
    for (const wait of [0, ...(this.ctx.readBackDelaysMs ?? [250, 1000])]) {
      if (wait > 0) await sleep(wait, opts.signal);
      const id = await first();
      if (id) {
        this.ctx.logger.info({ ...log, appointmentId: id }, 'Booked an appointment in IDEXX Neo');
        return { appointmentId: id, created: true };
      }
    }
    throw pimsBadResponse(
      `IDEXX Neo accepted the appointment on ${a.date} at ${time} but it is not on its calendar; not retrying (it may exist: look for it before booking again)`,
      { details: { companyId: this.ctx.companyId, date: a.date, startTime: time, patientId: a.patientId } },
    );
  }

  async cancelAppointment(appointmentId: string, reason: string, opts: PimsWriteOptions = {}): Promise<void> {
    const id = typeof appointmentId === 'string' ? appointmentId.trim() : '';
    if (id === '') throw new AppError('invalid_input', 'An appointment id is required', { status: 400 });
    // Before sending it again after a lost answer: is it cancelled (or gone) already?
    const done = async (): Promise<true | null> => {
      const detail = await this.ctx.http.requestJson('getAppointment', `/appointments/getAppointment?id=${encodeURIComponent(id)}`, { referer: this.referer, signal: opts.signal, allowNotFound: true });
      if (detail === null) return true;
      const appt = isRecord(detail) && isRecord(detail.appointment) ? detail.appointment : null;
      if (!appt) return null;
      if (flag(appt.deleted)) return true;
      const status = str(appt.status) ?? '';
      return mapNeoStatus(status, { cancelledReason: str(appt.cancelledReason) }) === 'cancelled' ? true : null;
    };
    await this.ctx.http.requestWrite('deleteAppointment', `/appointments/delete/${encodeURIComponent(id)}`, { json: { action: 'cancel', reason: String(reason ?? '').trim() || 'Cancelled' } }, {
      referer: this.referer,
      signal: opts.signal,
      beforeResend: done,
    });
    this.ctx.logger.info({ companyId: this.ctx.companyId, appointmentId: id }, 'Cancelled an appointment in IDEXX Neo');
  }
}
