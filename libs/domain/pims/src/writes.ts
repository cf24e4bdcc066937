import { z } from 'zod';
import { PimsLocalDate } from './records';

// The write side of the port (bookings made by our product, written into the clinic's PIMS).
// Inputs and outputs are normalized like the read side: ids are strings, dates and times are
// clinic-local calendar values (the session knows the clinic's time zone).

/** What to look a patient up by; at least one field. Phone and email match the owner's. */
export const FindPatientsQuery = z
  .object({
    phone: z.string().trim().min(1).optional(),
    email: z.string().trim().min(1).optional(),
    /** The pet's or the owner's name (the PIMS's own search decides how loosely). */
    name: z.string().trim().min(1).optional(),
  })
  .refine((q) => q.phone !== undefined || q.email !== undefined || q.name !== undefined, { message: 'Give a phone, an email or a name' });
export type FindPatientsQuery = z.infer<typeof FindPatientsQuery>;

/** A patient the PIMS found, with its owner. */
export const PimsPatientMatch = z.object({
  patientId: z.string().min(1),
  name: z.string().nullable(),
  species: z.string().nullable(),
  breed: z.string().nullable(),
  client: z.object({
    clientId: z.string().min(1),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
  }),
});
export type PimsPatientMatch = z.infer<typeof PimsPatientMatch>;

/** What to look a client (owner) up by; at least one field. */
export const FindClientsQuery = z
  .object({
    /** Compared by its digits (the last ten when there are more), whatever the format. */
    phone: z.string().trim().min(1).optional(),
    /** Compared ignoring case. */
    email: z.string().trim().min(1).optional(),
    /** The owner's first or last name (the PIMS's own search decides how loosely). */
    name: z.string().trim().min(1).optional(),
  })
  .refine((q) => q.phone !== undefined || q.email !== undefined || q.name !== undefined, { message: 'Give a phone, an email or a name' });
export type FindClientsQuery = z.infer<typeof FindClientsQuery>;

/** A client the PIMS found, with its patients. */
export const PimsClientMatch = z.object({
  clientId: z.string().min(1),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  /** The first of `phones`, or null. */
  phone: z.string().nullable(),
  /** Every phone number the PIMS holds for the client (home, mobile, work), as the PIMS wrote them. */
  phones: z.array(z.string()),
  email: z.string().nullable(),
  patients: z.array(z.object({ patientId: z.string().min(1), name: z.string().nullable(), species: z.string().nullable(), breed: z.string().nullable() })),
});
export type PimsClientMatch = z.infer<typeof PimsClientMatch>;

/** A new client (owner). */
export const NewPimsClient = z.object({
  firstName: z.string().trim().min(1),
  lastName: z.string().trim().min(1),
  phone: z.string().trim().min(1).optional(),
  email: z.string().trim().min(1).optional(),
});
export type NewPimsClient = z.infer<typeof NewPimsClient>;

/** A new patient of an existing client. Species and breed are names; the provider maps them to its own lists. */
export const NewPimsPatient = z.object({
  clientId: z.string().min(1),
  name: z.string().trim().min(1),
  species: z.string().trim().min(1).optional(),
  breed: z.string().trim().min(1).optional(),
});
export type NewPimsPatient = z.infer<typeof NewPimsPatient>;

/** A new appointment, in the clinic's wall-clock time. */
export const NewPimsAppointment = z.object({
  patientId: z.string().min(1),
  date: PimsLocalDate,
  /** Clinic-local start, 'HH:MM' or 'HH:MM:SS'. */
  startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/),
  durationMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** The PIMS's ids of the appointment type, room and attending provider (from getScheduleConfig), when known. */
  typeId: z.string().min(1).optional(),
  roomId: z.string().min(1).optional(),
  providerId: z.string().min(1).optional(),
  reason: z.string().trim().min(1),
  /**
   * Our own reference of the booking (e.g. its confirmation number). A provider stores it with the
   * appointment where it can (IDEXX Neo: in the notes) and tells two bookings of one patient in one
   * slot apart by it; without it they are taken for the same appointment.
   */
  reference: z.string().trim().min(1).max(100).optional(),
});
export type NewPimsAppointment = z.infer<typeof NewPimsAppointment>;

export interface CreatedPimsClient {
  clientId: string;
}
export interface CreatedPimsPatient {
  patientId: string;
}
export interface CreatedPimsAppointment {
  appointmentId: string;
  /** False when the PIMS already held this booking (see createAppointment) and nothing was written. */
  created: boolean;
}

/** An appointment this integration booked, as findBookedAppointment finds it. */
export interface FoundPimsAppointment {
  appointmentId: string;
}

export interface PimsWriteOptions {
  signal?: AbortSignal;
}

/**
 * Writes into the PIMS: an optional capability of a session (`session.writes`, see `canWrite`).
 * Errors: pims_not_found (a patient, client or appointment that does not exist), pims_conflict (the
 * PIMS refused the change because of what it holds, e.g. cancelling a finished visit),
 * pims_bad_response (an answer the provider cannot read, or a refusal of the data), pims_unavailable
 * (no answer after the provider's own retries: the write may or may not have happened; a create
 * repeated later is still exactly once, see createAppointment), pims_auth_failed, and invalid_input
 * for an input its schema refuses.
 *
 * "Booked by this integration" means booked through a session of this provider with these
 * credentials (IDEXX Neo: the appointment's `booked_by` is the logged-in user's name).
 */
export interface PimsWriteSession {
  /** Patients whose owner has this phone or email, or whose (or whose owner's) name matches; [] when none. */
  findPatients(query: FindPatientsQuery, opts?: PimsWriteOptions): Promise<PimsPatientMatch[]>;
  /**
   * Clients with this phone or this email, or whose name matches (any field given matches), each with
   * its patients; [] when none. Phone and email are compared exactly (phone by its digits).
   */
  findClients(query: FindClientsQuery, opts?: PimsWriteOptions): Promise<PimsClientMatch[]>;
  createClient(input: NewPimsClient, opts?: PimsWriteOptions): Promise<CreatedPimsClient>;
  createPatient(input: NewPimsPatient, opts?: PimsWriteOptions): Promise<CreatedPimsPatient>;
  /**
   * Books the appointment and returns its id. Idempotent: when the PIMS already holds a live (not
   * cancelled) appointment this integration booked for that patient at that date and start (of that
   * type when `typeId` is given, with that `reference` when given), its id comes back with
   * `created: false` and nothing is written. Inside the call, a create whose answer was lost (5xx,
   * 429, timeout, expired session) is looked for before it is sent again: one call never makes two.
   * A PIMS whose answer carries no id (IDEXX Neo) is read back by the provider (the new appointment
   * found on the calendar) before this resolves. Two calls for one booking at the same time are not
   * told apart: the caller runs them one at a time.
   */
  createAppointment(input: NewPimsAppointment, opts?: PimsWriteOptions): Promise<CreatedPimsAppointment>;
  /**
   * The live appointment createAppointment would return for this input without writing (the same
   * match), or null. For a caller that must know whether an earlier, failed call went through.
   */
  findBookedAppointment(input: NewPimsAppointment, opts?: PimsWriteOptions): Promise<FoundPimsAppointment | null>;
  /** Cancels (keeps it in the PIMS as cancelled, with the reason). Cancelling a cancelled appointment succeeds. */
  cancelAppointment(appointmentId: string, reason: string, opts?: PimsWriteOptions): Promise<void>;
}
