import { z } from 'zod';
import { isValidTimeZone } from '@pims/util';
import { isLocalOrInstant } from './local-time';

/**
 * The scenario format of CONTRACT section 5, plus the optional extras documented in README.md.
 * Objects are strict: an unknown field is a 400 with its path, so a typo never passes silently.
 */

/** The scenario's status words: IDEXX Neo's, with underscores (CONTRACT section 5); each simulator renders them in its PIMS's words. */
export const SCENARIO_STATUSES = [
  'not_arrived',
  'confirmed',
  'arrived',
  'in_progress',
  'ready_to_pay',
  'finalized',
  'no_show',
  'cancelled',
] as const;
export type ScenarioStatus = (typeof SCENARIO_STATUSES)[number];

export const CONSULTATION_STATUSES = ['Draft', 'Completed', 'Unpaid', 'Partially paid', 'Paid'] as const;

const hhmm = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?$/, 'expected a time HH:MM');
const hhmmEnd = z.string().regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected a time HH:MM (or 24:00)');
const idString = z
  .union([z.string().trim().min(1), z.number().int().nonnegative()])
  .transform((v) => String(v));
const text = z.string().max(20_000);

/** Clinic-local 'YYYY-MM-DDTHH:MM[:SS]' (or with a space), or an ISO instant with an offset. */
const localDateTime = z
  .string()
  .refine(isLocalOrInstant, 'expected a clinic-local date-time YYYY-MM-DDTHH:MM[:SS]');
/** `{day, time}`: relative to the simulator's today in the clinic's zone. */
const relative = z.strictObject({ day: z.number().int().min(-3660).max(3660), time: hhmm });
const when = z.union([localDateTime, relative]);
export type When = z.output<typeof when>;

export const BusinessHoursSchema = z
  .strictObject({
    daysOfWeek: z.array(z.number().int().min(1).max(7)).min(1),
    startTime: hhmm,
    endTime: hhmmEnd,
  })
  .refine((b) => b.startTime.slice(0, 5) < b.endTime, { message: 'startTime must be before endTime' });

export const PatientSchema = z.strictObject({
  id: idString,
  name: z.string().min(1),
  species: z.string().optional(),
  breed: z.string().optional(),
  sex: z.string().optional(),
  dateOfBirth: z.string().optional(),
});

export const ClientSchema = z.strictObject({
  id: idString,
  title: z.string().optional(),
  firstName: z.string(),
  lastName: z.string(),
  phone: z.string().optional(),
  email: z.string().optional(),
});

export const AppointmentScenarioSchema = z
  .strictObject({
    id: idString,
    /** Clinic-local start, no offset. Or `day` + `time` instead. */
    start: localDateTime.optional(),
    day: z.number().int().min(-3660).max(3660).optional(),
    time: hhmm.optional(),
    durationMinutes: z.number().int().min(1).max(1440).default(30),
    status: z.enum(SCENARIO_STATUSES).default('not_arrived'),
    type: z.string().optional(),
    reason: z.string().optional(),
    /** Display title of a block or roster ("Lunch"); visits get "PATIENT; LAST, FIRST". */
    title: z.string().optional(),
    notes: text.optional(),
    providerId: idString.optional(),
    roomId: idString.optional(),
    patient: PatientSchema.optional(),
    client: ClientSchema.optional(),
    consultationId: idString.nullable().optional(),
    isBlock: z.boolean().default(false),
    isRoster: z.boolean().default(false),
    recurring: z.boolean().default(false),
    cancelledReason: z.string().optional(),
    bookedBy: z.string().optional(),
    bookedAt: when.optional(),
    updatedAt: when.optional(),
    arrivedAt: when.optional(),
    estimateId: idString.nullable().optional(),
    /** Test hook: serve this appointment as a broken event without `id`/`appointment_id` or without `start`. */
    malformed: z.enum(['missing_id', 'missing_start']).optional(),
  })
  .superRefine((a, ctx) => {
    const relativeGiven = a.day !== undefined || a.time !== undefined;
    if (a.start !== undefined && relativeGiven)
      ctx.addIssue({ code: 'custom', message: 'give either start or day+time, not both' });
    else if (a.start === undefined && (a.day === undefined || a.time === undefined))
      ctx.addIssue({ code: 'custom', message: 'start (clinic-local) or day + time is required' });
    if (a.start !== undefined && /(Z|[+-]\d{2}:?\d{2})$/i.test(a.start))
      ctx.addIssue({
        code: 'custom',
        path: ['start'],
        message: 'start is clinic-local time without an offset',
      });
  });

export const ConsultationLineSchema = z.strictObject({
  id: idString.optional(),
  productService: z.string().min(1),
  quantity: z.number().nonnegative().default(1),
  isDeclined: z.boolean().default(false),
});

export const ConsultationScenarioSchema = z.strictObject({
  id: idString,
  status: z.enum(CONSULTATION_STATUSES).default('Completed'),
  reason: z.string().optional(),
  description: z.string().optional(),
  notes: text.default(''),
  dischargeSummary: text.default(''),
  diagnoses: z.array(z.string().min(1)).default([]),
  lines: z.array(ConsultationLineSchema).default([]),
  vitals: z
    .strictObject({
      weightKg: z.number().positive().optional(),
      temperatureC: z.number().positive().optional(),
      pulse: z.number().int().positive().optional(),
      respiration: z.number().int().positive().optional(),
    })
    .optional(),
  updatedAt: when.optional(),
});

export const AppointmentTypeSchema = z.strictObject({
  id: idString,
  name: z.string().min(1),
  duration: z.number().int().min(1).max(1440).default(30),
  color: z.string().default('#3a87ad'),
});

export const ClinicScenarioSchema = z
  .strictObject({
    companyId: idString,
    name: z.string().min(1).optional(),
    username: z.string().min(1),
    password: z.string().min(1),
    timezone: z.string().refine(isValidTimeZone, 'expected an IANA time zone such as America/New_York'),
    businessHours: z
      .array(BusinessHoursSchema)
      .default([{ daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' }]),
    slotInterval: z.number().int().min(5).max(240).default(30),
    rooms: z.array(z.strictObject({ id: idString, name: z.string().min(1) })).default([]),
    providers: z.array(z.strictObject({ id: idString, name: z.string().min(1) })).default([]),
    appointmentTypes: z.array(AppointmentTypeSchema).optional(),
    appointments: z.array(AppointmentScenarioSchema).default([]),
    consultations: z.array(ConsultationScenarioSchema).default([]),
    /** After a correct password, ask for a verification code (never granting a session). */
    mfa: z.boolean().default(false),
    /** Whether the login form shows the company_id field (see README: one form serves all clinics). */
    showCompanyId: z.boolean().default(true),
    /** The logged-in user's name on Neo's pages, and `booked_by` of appointments created through a session. */
    userDisplayName: z.string().trim().min(1).max(100).optional(),
  })
  .superRefine((c, ctx) => {
    const dup = (list: { id: string }[], what: string, key: string) => {
      const seen = new Set<string>();
      list.forEach((x, i) => {
        if (seen.has(x.id))
          ctx.addIssue({ code: 'custom', path: [key, i, 'id'], message: `duplicate ${what} id "${x.id}"` });
        seen.add(x.id);
      });
    };
    dup(c.rooms, 'room', 'rooms');
    dup(c.providers, 'provider', 'providers');
    dup(c.appointments, 'appointment', 'appointments');
    dup(c.consultations, 'consultation', 'consultations');
    if (c.appointmentTypes) dup(c.appointmentTypes, 'appointment type', 'appointmentTypes');
    const rooms = new Set(c.rooms.map((r) => r.id));
    const providers = new Set(c.providers.map((p) => p.id));
    c.appointments.forEach((a, i) => {
      if (a.roomId !== undefined && !rooms.has(a.roomId))
        ctx.addIssue({
          code: 'custom',
          path: ['appointments', i, 'roomId'],
          message: `unknown room "${a.roomId}"`,
        });
      if (a.providerId !== undefined && !providers.has(a.providerId))
        ctx.addIssue({
          code: 'custom',
          path: ['appointments', i, 'providerId'],
          message: `unknown provider "${a.providerId}"`,
        });
    });
  });

export const ScenarioSchema = z
  .strictObject({ clinics: z.array(ClinicScenarioSchema) })
  .superRefine((s, ctx) => {
    const ids = new Set<string>();
    s.clinics.forEach((c, i) => {
      if (ids.has(c.companyId))
        ctx.addIssue({
          code: 'custom',
          path: ['clinics', i, 'companyId'],
          message: `duplicate companyId "${c.companyId}"`,
        });
      ids.add(c.companyId);
    });
  });

/** What a scenario author writes (defaults optional, ids may be numbers). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ClinicScenarioInput = z.input<typeof ClinicScenarioSchema>;
export type AppointmentScenarioInput = z.input<typeof AppointmentScenarioSchema>;
export type ConsultationScenarioInput = z.input<typeof ConsultationScenarioSchema>;
/** A validated scenario (defaults filled in). */
export type Scenario = z.output<typeof ScenarioSchema>;
export type ClinicScenario = z.output<typeof ClinicScenarioSchema>;
export type AppointmentScenario = z.output<typeof AppointmentScenarioSchema>;
export type ConsultationScenario = z.output<typeof ConsultationScenarioSchema>;

/** One line per issue: "clinics.0.appointments.2.start: start (clinic-local) or day + time is required". */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseScenario(input: unknown): ParseResult<Scenario> {
  const r = ScenarioSchema.safeParse(input);
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, error: `Invalid scenario: ${formatIssues(r.error)}` };
}

/** Like parseScenario but throws an Error with the reason. */
export function assertScenario(input: unknown): Scenario {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
