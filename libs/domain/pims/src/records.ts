import { z } from 'zod';

/**
 * The normalized appointment statuses every provider maps its own status words to
 * (IDEXX Neo: not arrived -> scheduled, arrived -> checked_in, finalized -> completed, ...).
 */
export const APPOINTMENT_STATUSES = ['scheduled', 'confirmed', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show'] as const;
export const AppointmentStatus = z.enum(APPOINTMENT_STATUSES);
export type AppointmentStatus = z.infer<typeof AppointmentStatus>;

/** A clinic-local calendar date 'YYYY-MM-DD'. */
export const PimsLocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** A clinic-local wall-clock time 'HH:MM:SS'. */
export const PimsLocalTime = z.string().regex(/^\d{2}:\d{2}:\d{2}$/);

/** One visit from the PIMS, in clinic-local wall-clock time plus the UTC instants. */
export const PimsAppointment = z.object({
  id: z.string().min(1),
  /** Clinic-local date and time of the start and end, 'YYYY-MM-DD' / 'HH:MM:SS'. */
  date: PimsLocalDate,
  startTime: PimsLocalTime,
  endDate: PimsLocalDate,
  endTime: PimsLocalTime,
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

/** A consultation (the clinical record of a visit). */
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

/** The calendar set-up: business hours (ISO weekdays 1..7), slot interval, rooms, providers (and appointment types, optional). */
export const PimsScheduleConfig = z.object({
  slotIntervalMinutes: z.number().int().positive(),
  businessHours: z.array(z.object({ daysOfWeek: z.array(z.number().int().min(1).max(7)), startTime: z.string(), endTime: z.string() })),
  rooms: z.array(z.object({ id: z.string(), name: z.string() })),
  providers: z.array(z.object({ id: z.string(), name: z.string() })),
  /**
   * The PIMS's appointment types with their usual length in minutes (null when it names none), when
   * the provider reads them: write-back books a voice booking as the first type that fits its slot.
   */
  appointmentTypes: z.array(z.object({ id: z.string(), name: z.string(), durationMinutes: z.number().int().positive().nullable() })).optional(),
});
export type PimsScheduleConfig = z.infer<typeof PimsScheduleConfig>;

/** The visits of a date range. */
export interface AppointmentsResult {
  appointments: PimsAppointment[];
  /**
   * Records the PIMS returned that could not be read (missing id or start, ...); skipped, not fatal.
   * A record with an id counts once however often the PIMS sent it.
   */
  skipped: number;
  /**
   * The ids of the skipped records that had one (distinct). The other `skipped - skippedIds.length`
   * records had no readable id. A provider that leaves it out knows no id of any skipped record.
   * An unreadable record is still in the PIMS: its id is never a reason to delete.
   */
  skippedIds?: string[];
  /** Blocks and rosters seen and left out (they are never visits). */
  excluded: number;
}
