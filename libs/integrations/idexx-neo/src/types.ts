import { z } from 'zod';

/** Normalized appointment statuses (CONTRACT section 5 mapping from Neo's words). */
export const APPOINTMENT_STATUSES = ['scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show'] as const;
export const AppointmentStatus = z.enum(APPOINTMENT_STATUSES);
export type AppointmentStatus = z.infer<typeof AppointmentStatus>;

const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const localTime = z.string().regex(/^\d{2}:\d{2}:\d{2}$/);

/** One visit from the PIMS, in clinic-local wall-clock time plus the UTC instants. */
export const PimsAppointment = z.object({
  id: z.string().min(1),
  /** Clinic-local date and time of the start and end, 'YYYY-MM-DD' / 'HH:MM:SS'. */
  date: localDate,
  startTime: localTime,
  endDate: localDate,
  endTime: localTime,
  /** UTC instants (ISO strings) of start and end, from the clinic's time zone. */
  startAt: z.string(),
  endAt: z.string(),
  status: AppointmentStatus,
  /** The PIMS's own status words, verbatim. */
  rawStatus: z.string().nullable(),
  type: z.string().nullable(),
  reason: z.string().nullable(),
  consultationId: z.string().nullable(),
  provider: z.object({ id: z.string().nullable(), name: z.string().nullable() }).nullable(),
  room: z.object({ id: z.string().nullable(), name: z.string().nullable() }).nullable(),
  patient: z.object({ id: z.string().nullable(), name: z.string().nullable(), species: z.string().nullable(), breed: z.string().nullable() }).nullable(),
  client: z
    .object({
      id: z.string().nullable(),
      firstName: z.string().nullable(),
      lastName: z.string().nullable(),
      phone: z.string().nullable(),
      email: z.string().nullable(),
    })
    .nullable(),
  /** The PIMS's last change of this appointment or its consultation (clinic-local, as given), or null. */
  lastUpdatedAt: z.string().nullable(),
});
export type PimsAppointment = z.infer<typeof PimsAppointment>;

export const PimsConsultation = z.object({
  id: z.string().min(1),
  status: z.string().nullable(),
  notes: z.string().nullable(),
  dischargeSummary: z.string().nullable(),
  diagnoses: z.array(z.string()),
  products: z.array(z.object({ name: z.string(), quantity: z.number().nullable(), isDeclined: z.boolean() })),
  reason: z.string().nullable(),
  date: z.string().nullable(),
});
export type PimsConsultation = z.infer<typeof PimsConsultation>;

/** The calendar set-up: business hours (ISO weekdays 1..7), slot interval, rooms, providers. */
export const PimsScheduleConfig = z.object({
  slotIntervalMinutes: z.number().int().positive(),
  businessHours: z.array(z.object({ daysOfWeek: z.array(z.number().int().min(1).max(7)), startTime: z.string(), endTime: z.string() })),
  rooms: z.array(z.object({ id: z.string(), name: z.string() })),
  providers: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type PimsScheduleConfig = z.infer<typeof PimsScheduleConfig>;

export interface AppointmentsResult {
  appointments: PimsAppointment[];
  /** Records the PIMS returned that could not be read (missing id or start, ...); skipped, not fatal. */
  skipped: number;
  /** Blocks and rosters seen and left out (they are never visits). */
  excluded: number;
}

export interface PimsCredentials {
  baseUrl: string;
  companyId?: string | null;
  username: string;
  password: string;
}

export interface PimsSessionOptions {
  /** The clinic's IANA time zone: PIMS times are clinic-local. */
  timezone: string;
  signal?: AbortSignal;
}

/**
 * A logged-in session with one clinic's PIMS. Implementations: IDEXX Neo (Playwright).
 * Errors are AppError with codes pims_auth_failed, pims_mfa_required, pims_unavailable, pims_bad_response.
 */
export interface PimsSession {
  /** Appointments whose clinic-local start date is between from and to, both included. */
  getAppointments(from: string, to: string, opts?: { signal?: AbortSignal }): Promise<AppointmentsResult>;
  getConsultation(id: string, opts?: { signal?: AbortSignal }): Promise<PimsConsultation | null>;
  getScheduleConfig(opts?: { signal?: AbortSignal }): Promise<PimsScheduleConfig>;
  close(): Promise<void>;
}

export interface PimsProvider {
  readonly name: 'idexx_neo';
  /** Logs in and returns a session; throws pims_auth_failed / pims_mfa_required / pims_unavailable. */
  authenticate(credentials: PimsCredentials, opts: PimsSessionOptions): Promise<PimsSession>;
  /** Starts shared resources ahead of the first session (e.g. launches the browser). Optional. */
  warmUp?(): Promise<void>;
  /** Closes shared resources (the browser). */
  close(): Promise<void>;
}
