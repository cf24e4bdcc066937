import { z } from 'zod';
import { SimClock } from './clock';
import { FaultState } from './faults';
import { addMinutesLocal, toClinicLocal } from './local-time';
import {
  ARRIVED_STATUSES,
  appointmentForConsultation,
  bumpTime,
  lastUpdatedAt,
  relativeLocal,
  resolveAppointment,
  resolveWhen,
  type Appointment,
  type Consultation,
  type ScenarioClinic,
} from './model';
import {
  AppointmentScenarioSchema,
  CONSULTATION_STATUSES,
  ClientSchema,
  ConsultationLineSchema,
  PatientSchema,
  SCENARIO_STATUSES,
  formatIssues,
  type ClinicScenario,
  type Scenario,
} from './scenario';
import { StatsRecorder } from './stats';

/** A refusal of the control API (or of a programmatic call): 400 (or 404) with the reason. */
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

/** What POST /__sim/scenario answers for each clinic it loaded. */
export interface LoadedClinic {
  companyId: string;
  name: string;
  appointments: number;
  consultations: number;
}

/**
 * What every simulator holds: the clinics, faults, stats and the clock, and the data changes of the
 * control API. A simulator extends it with its PIMS's clinic record (`buildClinic`), its logins
 * (`expireSessions`) and what it must do when data changes (the hooks).
 */
export abstract class ScenarioState<C extends ScenarioClinic = ScenarioClinic, E extends string = string> {
  readonly clinics = new Map<string, C>();
  readonly faults = new FaultState();
  readonly stats: StatsRecorder<E>;

  constructor(
    readonly clock: SimClock,
    endpoints: readonly E[],
  ) {
    this.stats = new StatsRecorder(endpoints);
  }

  /** The simulator's clinic record for a validated scenario clinic; `previous` is the one it replaces. */
  protected abstract buildClinic(c: ClinicScenario, now: Date, previous: C | undefined): C;

  /** Ends every session / token (of one clinic, or all); answers how many. */
  abstract expireSessions(companyId?: string): number;

  /** Refuses a set of clinics that cannot be served together (throw a SimError); by default any set. */
  protected checkClinics(_clinics: Map<string, C>): void {}

  /** After a control-API change or addition of an appointment. */
  protected appointmentChanged(_clinic: C, _a: Appointment): void {}

  /** After an appointment is removed through the control API. */
  protected appointmentRemoved(_clinic: C, _a: Appointment): void {}

  /** After a control-API change of a consultation. */
  protected consultationChanged(_clinic: C, _k: Consultation, _appointment: Appointment | undefined): void {}

  /** Replaces the clinics the scenario names (by companyId); keeps the others. */
  applyScenario(s: Scenario): LoadedClinic[] {
    const now = this.clock.now();
    const resolved = s.clinics.map((c) => this.buildClinic(c, now, this.clinics.get(c.companyId)));
    const merged = new Map(this.clinics);
    for (const c of resolved) merged.set(c.companyId, c);
    this.checkClinics(merged);
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

  protected clinicHolding(kind: 'appointment' | 'consultation', id: string, companyId?: string): C {
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

  /** Changes a consultation and bumps its appointment's last change. */
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
    this.consultationChanged(clinic, k, appt);
    return {
      companyId: clinic.companyId,
      consultation: k,
      appointmentId: appt?.id ?? null,
      lastUpdatedAt: appt ? lastUpdatedAt(clinic, appt) : null,
    };
  }

  /** Changes an appointment (status, time, ...) and bumps its last change. */
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
      if (ARRIVED_STATUSES.includes(a.status) && !a.arrivedAt) a.arrivedAt = addMinutesLocal(a.start, -5);
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
    this.appointmentChanged(clinic, a);
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
    this.appointmentChanged(clinic, a);
    return { companyId, appointment: a };
  }

  /** Removes an appointment: it is gone from the PIMS. */
  removeAppointment(id: string, companyId?: string): { companyId: string } {
    const clinic = this.clinicHolding('appointment', id, companyId);
    const a = clinic.appointments.get(id)!;
    clinic.appointments.delete(id);
    this.appointmentRemoved(clinic, a);
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
