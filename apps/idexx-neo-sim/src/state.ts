import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SimClock } from './clock';
import { FaultState } from './faults';
import { addMinutesLocal } from './local-time';
import {
  bumpTime,
  lastUpdatedAt,
  relativeLocal,
  resolveAppointment,
  resolveClinic,
  resolveWhen,
  appointmentForConsultation,
  registerPeople,
  type Appointment,
  type Clinic,
  type Consultation,
} from './model';
import {
  AppointmentScenarioSchema,
  CONSULTATION_STATUSES,
  ClientSchema,
  ConsultationLineSchema,
  PatientSchema,
  SCENARIO_STATUSES,
  formatIssues,
  type Scenario,
} from './scenario';
import { StatsRecorder } from './stats';
import { toClinicLocal } from './local-time';

const MAX_PENDING = 5_000;

interface Session {
  companyId: string;
  createdAtMs: number;
  /** The token the logged-in pages carry in `<meta name="csrf-token">`; every write must send it. */
  csrfToken: string;
}

interface CsrfEntry {
  token: string;
  seLoginRequest: string;
  createdAtMs: number;
}

export class SimError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
    this.name = 'SimError';
  }
}

const hhmm = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$/, 'expected a time HH:MM');
const when = z.union([z.string(), z.strictObject({ day: z.number().int(), time: hhmm })]);
const idString = z
  .union([z.string().trim().min(1), z.number().int().nonnegative()])
  .transform((v) => String(v));

/** Body of POST /__sim/consultations/:id. Every field optional; `updatedAt` defaults to "now". */
export const ConsultationPatchSchema = z.strictObject({
  companyId: idString.optional(),
  status: z.enum(CONSULTATION_STATUSES).optional(),
  reason: z.string().optional(),
  description: z.string().optional(),
  notes: z.string().optional(),
  dischargeSummary: z.string().optional(),
  diagnoses: z.array(z.string().min(1)).optional(),
  lines: z.array(ConsultationLineSchema).optional(),
  updatedAt: when.optional(),
});
export type ConsultationPatch = z.input<typeof ConsultationPatchSchema>;

/** Body of POST /__sim/appointments/:id. Every field optional; `updatedAt` defaults to "now". */
export const AppointmentPatchSchema = z.strictObject({
  companyId: idString.optional(),
  start: z.string().optional(),
  day: z.number().int().optional(),
  time: hhmm.optional(),
  durationMinutes: z.number().int().min(1).max(1440).optional(),
  status: z.enum(SCENARIO_STATUSES).optional(),
  type: z.string().nullable().optional(),
  reason: z.string().nullable().optional(),
  title: z.string().nullable().optional(),
  notes: z.string().nullable().optional(),
  providerId: idString.nullable().optional(),
  roomId: idString.nullable().optional(),
  patient: PatientSchema.nullable().optional(),
  client: ClientSchema.nullable().optional(),
  consultationId: idString.nullable().optional(),
  cancelledReason: z.string().nullable().optional(),
  isBlock: z.boolean().optional(),
  isRoster: z.boolean().optional(),
  malformed: z.enum(['missing_id', 'missing_start']).nullable().optional(),
  updatedAt: when.optional(),
});
export type AppointmentPatch = z.input<typeof AppointmentPatchSchema>;

export const NewAppointmentSchema = z.object({ companyId: idString }).passthrough();

export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new SimError(formatIssues(r.error));
  return r.data;
}

function token(bytes = 24): string {
  return randomBytes(bytes).toString('hex');
}

function trim<K, V>(map: Map<K, V>): void {
  while (map.size > MAX_PENDING) {
    const first = map.keys().next();
    if (first.done) break;
    map.delete(first.value);
  }
}

/** Everything the simulator holds: clinics, sessions, CSRF tokens, faults, stats and the clock. */
export class SimState {
  readonly clinics = new Map<string, Clinic>();
  readonly faults = new FaultState();
  readonly stats = new StatsRecorder();
  private readonly sessions = new Map<string, Session>();
  private readonly csrf = new Map<string, CsrfEntry>();

  constructor(readonly clock: SimClock) {}

  /** Replaces the clinics the scenario names (by companyId); keeps the others. */
  applyScenario(
    s: Scenario,
  ): { companyId: string; name: string; appointments: number; consultations: number }[] {
    const now = this.clock.now();
    const resolved = s.clinics.map((c) => resolveClinic(c, now));
    const merged = new Map(this.clinics);
    for (const c of resolved) merged.set(c.companyId, c);
    const hidden = new Map<string, string>();
    for (const c of merged.values()) {
      if (c.showCompanyId) continue;
      const key = c.username.toLowerCase();
      const other = hidden.get(key);
      if (other)
        throw new SimError(
          `clinics ${other} and ${c.companyId} both hide company_id and share the username "${c.username}"`,
        );
      hidden.set(key, c.companyId);
    }
    for (const c of resolved) this.clinics.set(c.companyId, c);
    return resolved.map((c) => ({
      companyId: c.companyId,
      name: c.name,
      appointments: c.appointments.size,
      consultations: c.consultations.size,
    }));
  }

  removeClinic(companyId: string): boolean {
    return this.clinics.delete(companyId);
  }

  /** Whether the shared login form shows company_id: unless every clinic hides it. */
  showCompanyIdField(): boolean {
    const all = [...this.clinics.values()];
    return all.length === 0 || all.some((c) => c.showCompanyId);
  }

  // ---- login -------------------------------------------------------------------------------

  /** The CSRF token bound to a pre-login cookie (a new cookie when it is missing or unknown). */
  csrfFor(cookie: string | undefined): {
    cookie: string;
    token: string;
    seLoginRequest: string;
    isNew: boolean;
  } {
    const existing = cookie ? this.csrf.get(cookie) : undefined;
    if (cookie && existing)
      return { cookie, token: existing.token, seLoginRequest: existing.seLoginRequest, isNew: false };
    const id = token(16);
    const entry: CsrfEntry = { token: token(20), seLoginRequest: token(8), createdAtMs: Date.now() };
    this.csrf.set(id, entry);
    trim(this.csrf);
    return { cookie: id, token: entry.token, seLoginRequest: entry.seLoginRequest, isNew: true };
  }

  checkCsrf(
    cookie: string | undefined,
    csrfToken: string | undefined,
    seLoginRequest: string | undefined,
  ): boolean {
    if (!cookie || !csrfToken || !seLoginRequest) return false;
    const entry = this.csrf.get(cookie);
    return !!entry && entry.token === csrfToken && entry.seLoginRequest === seLoginRequest;
  }

  dropCsrf(cookie: string | undefined): void {
    if (cookie) this.csrf.delete(cookie);
  }

  /** The clinic a login form names (for stats), whether or not the password is right. */
  identifyClinic(companyId: string | undefined, username: string | undefined): Clinic | null {
    if (companyId) return this.clinics.get(companyId) ?? null;
    if (!username) return null;
    const matches = [...this.clinics.values()].filter(
      (c) => c.username.toLowerCase() === username.toLowerCase(),
    );
    const hidden = matches.filter((c) => !c.showCompanyId);
    if (hidden.length === 1) return hidden[0];
    return matches.length === 1 ? matches[0] : null;
  }

  /**
   * The clinic whose credentials these are. With company_id: that clinic. Without it (the field is
   * not shown): the one clinic that hides company_id and has this username.
   */
  authenticate(companyId: string | undefined, username: string, password: string): Clinic | null {
    let clinic: Clinic | null;
    if (companyId) clinic = this.clinics.get(companyId) ?? null;
    else {
      const hidden = [...this.clinics.values()].filter(
        (c) => !c.showCompanyId && c.username.toLowerCase() === username.toLowerCase(),
      );
      clinic = hidden.length === 1 ? hidden[0] : null;
    }
    if (!clinic) return null;
    if (clinic.username.toLowerCase() !== username.toLowerCase() || clinic.password !== password) return null;
    return clinic;
  }

  createSession(companyId: string): string {
    const id = token(24);
    this.sessions.set(id, { companyId, createdAtMs: Date.now(), csrfToken: token(20) });
    trim(this.sessions);
    return id;
  }

  /** The live session's clinic, or null (unknown, expired by sessionTtlSeconds, clinic removed). */
  sessionClinic(id: string | undefined): Clinic | null {
    return this.liveSession(id)?.clinic ?? null;
  }

  /** The live session's clinic and CSRF token, or null. */
  liveSession(id: string | undefined): { clinic: Clinic; csrfToken: string } | null {
    if (!id) return null;
    const s = this.sessions.get(id);
    if (!s) return null;
    const ttl = this.faults.config.sessionTtlSeconds;
    if (ttl !== undefined && Date.now() - s.createdAtMs > ttl * 1000) return null;
    const clinic = this.clinics.get(s.companyId);
    return clinic ? { clinic, csrfToken: s.csrfToken } : null;
  }

  /** The company a session cookie belongs to, expired or not (for stats). */
  sessionCompany(id: string | undefined): string | null {
    return (id && this.sessions.get(id)?.companyId) || null;
  }

  endSession(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /** Ends every session (of one clinic, or all): the next JSON call sees an expired session. */
  expireSessions(companyId?: string): number {
    let n = 0;
    for (const [id, s] of this.sessions) {
      if (!companyId || s.companyId === companyId) {
        this.sessions.delete(id);
        n += 1;
      }
    }
    return n;
  }

  // ---- data changes (control API) ----------------------------------------------------------

  private clinicHolding(kind: 'appointment' | 'consultation', id: string, companyId?: string): Clinic {
    if (companyId) {
      const c = this.clinics.get(companyId);
      if (!c) throw new SimError(`Unknown clinic ${companyId}`);
      const has = kind === 'appointment' ? c.appointments.has(id) : c.consultations.has(id);
      if (!has) throw new SimError(`Unknown ${kind} ${id} in clinic ${companyId}`);
      return c;
    }
    const holders = [...this.clinics.values()].filter((c) =>
      kind === 'appointment' ? c.appointments.has(id) : c.consultations.has(id),
    );
    if (holders.length === 0) throw new SimError(`Unknown ${kind} ${id}`);
    if (holders.length > 1) throw new SimError(`${kind} ${id} exists in several clinics; give companyId`);
    return holders[0];
  }

  /** Changes a consultation and bumps its appointment's last_updated_at. */
  updateConsultation(
    id: string,
    input: unknown,
  ): {
    companyId: string;
    consultation: Consultation;
    appointmentId: string | null;
    lastUpdatedAt: string | null;
  } {
    const patch = parseOrThrow(ConsultationPatchSchema, input ?? {});
    const clinic = this.clinicHolding('consultation', id, patch.companyId);
    const k = clinic.consultations.get(id)!;
    const appt = appointmentForConsultation(clinic, id);
    const now = this.clock.now();
    if (patch.status !== undefined) k.status = patch.status;
    if (patch.reason !== undefined) k.reason = patch.reason;
    if (patch.description !== undefined) k.description = patch.description;
    if (patch.notes !== undefined) k.notes = patch.notes;
    if (patch.dischargeSummary !== undefined) k.dischargeSummary = patch.dischargeSummary;
    if (patch.diagnoses !== undefined) k.diagnoses = [...patch.diagnoses];
    if (patch.lines !== undefined)
      k.lines = patch.lines.map((l, i) => ({
        id: l.id ?? `${id}-L${i + 1}`,
        productService: l.productService,
        quantity: l.quantity,
        isDeclined: l.isDeclined,
      }));
    if (patch.updatedAt !== undefined)
      k.updatedAt = this.resolveWhenOrThrow(patch.updatedAt, clinic.timezone);
    else k.updatedAt = bumpTime(appt ? lastUpdatedAt(clinic, appt) : k.updatedAt, now, clinic.timezone);
    return {
      companyId: clinic.companyId,
      consultation: k,
      appointmentId: appt?.id ?? null,
      lastUpdatedAt: appt ? lastUpdatedAt(clinic, appt) : null,
    };
  }

  /** Changes an appointment (status, time, ...) and bumps its last_updated_at. */
  updateAppointment(
    id: string,
    input: unknown,
  ): { companyId: string; appointment: Appointment; lastUpdatedAt: string } {
    const patch = parseOrThrow(AppointmentPatchSchema, input ?? {});
    const clinic = this.clinicHolding('appointment', id, patch.companyId);
    const a = clinic.appointments.get(id)!;
    const zone = clinic.timezone;
    const now = this.clock.now();
    if (patch.providerId && !clinic.providers.some((p) => p.id === patch.providerId))
      throw new SimError(`unknown provider "${patch.providerId}"`);
    if (patch.roomId && !clinic.rooms.some((r) => r.id === patch.roomId))
      throw new SimError(`unknown room "${patch.roomId}"`);
    const before = lastUpdatedAt(clinic, a);
    if (patch.start !== undefined) {
      const s = toClinicLocal(patch.start, zone);
      if (!s) throw new SimError('start: expected a clinic-local date-time YYYY-MM-DDTHH:MM[:SS]');
      a.start = s;
    } else if (patch.day !== undefined || patch.time !== undefined) {
      if (patch.day === undefined || patch.time === undefined)
        throw new SimError('give day and time together');
      a.start = relativeLocal(patch.day, patch.time, zone, now);
    }
    if (patch.durationMinutes !== undefined) a.durationMinutes = patch.durationMinutes;
    a.end = addMinutesLocal(a.start, a.durationMinutes);
    if (patch.status !== undefined && patch.status !== a.status) {
      a.status = patch.status;
      if (a.status === 'cancelled' && patch.cancelledReason === undefined && !a.cancelledReason)
        a.cancelledReason = 'Cancelled by client';
      if (['arrived', 'in_progress', 'ready_to_pay', 'finalized'].includes(a.status) && !a.arrivedAt)
        a.arrivedAt = addMinutesLocal(a.start, -5);
    }
    const simple = [
      'type',
      'reason',
      'title',
      'notes',
      'providerId',
      'roomId',
      'consultationId',
      'cancelledReason',
      'isBlock',
      'isRoster',
      'malformed',
    ] as const;
    for (const key of simple) {
      if (patch[key] !== undefined) (a as unknown as Record<string, unknown>)[key] = patch[key];
    }
    if (patch.patient !== undefined)
      a.patient = patch.patient && {
        id: patch.patient.id,
        name: patch.patient.name,
        species: patch.patient.species ?? null,
        breed: patch.patient.breed ?? null,
      };
    if (patch.client !== undefined)
      a.client = patch.client && {
        id: patch.client.id,
        title: patch.client.title ?? null,
        firstName: patch.client.firstName,
        lastName: patch.client.lastName,
        phone: patch.client.phone ?? null,
        email: patch.client.email ?? null,
      };
    a.updatedAt =
      patch.updatedAt !== undefined
        ? this.resolveWhenOrThrow(patch.updatedAt, zone)
        : bumpTime(before, now, zone);
    registerPeople(clinic, a);
    return { companyId: clinic.companyId, appointment: a, lastUpdatedAt: lastUpdatedAt(clinic, a) };
  }

  /** Adds one appointment (scenario format) to a clinic. */
  addAppointment(input: unknown): { companyId: string; appointment: Appointment } {
    const { companyId, ...rest } = parseOrThrow(NewAppointmentSchema, input ?? {});
    const clinic = this.clinics.get(companyId);
    if (!clinic) throw new SimError(`Unknown clinic ${companyId}`);
    const spec = parseOrThrow(AppointmentScenarioSchema, rest);
    if (clinic.appointments.has(spec.id)) throw new SimError(`appointment ${spec.id} already exists`);
    if (spec.providerId && !clinic.providers.some((p) => p.id === spec.providerId))
      throw new SimError(`unknown provider "${spec.providerId}"`);
    if (spec.roomId && !clinic.rooms.some((r) => r.id === spec.roomId))
      throw new SimError(`unknown room "${spec.roomId}"`);
    const a = resolveAppointment(spec, clinic.timezone, this.clock.now());
    clinic.appointments.set(a.id, a);
    registerPeople(clinic, a);
    return { companyId, appointment: a };
  }

  /** Removes an appointment: it is gone from the PIMS. */
  removeAppointment(id: string, companyId?: string): { companyId: string } {
    const clinic = this.clinicHolding('appointment', id, companyId);
    clinic.appointments.delete(id);
    return { companyId: clinic.companyId };
  }

  private resolveWhenOrThrow(value: string | { day: number; time: string }, zone: string): string {
    try {
      return resolveWhen(value, zone, this.clock.now());
    } catch {
      throw new SimError('updatedAt: expected a clinic-local date-time or {day, time}');
    }
  }
}
