import { z } from 'zod';
import { queryInt, safeText } from './api';

/**
 * Request and response schemas of the booking API: availability, holds, bookings, cancel and
 * reschedule. Request bodies are strict; strings refuse control characters (safeText). Dates are the
 * clinic's local calendar days, times its wall clock ('HH:MM'), `startsAt` the UTC instant.
 * Browser-safe: zod only.
 */

export const BOOKING_STATUSES = ['held', 'confirmed', 'cancelled', 'expired'] as const;
export const WRITE_BACK_STATUSES = ['pending', 'written', 'conflict', 'failed', 'needs_review'] as const;
export const BOOKING_SOURCES = ['voice', 'api', 'admin'] as const;
export const HOLD_TTL_SECONDS = { min: 5, max: 900, default: 300 } as const;
/** The longest availability window one request may ask for, in days (both ends included). */
export const MAX_AVAILABILITY_DAYS = 31;

export const BookingStatus = z.enum(BOOKING_STATUSES);
export type BookingStatus = z.infer<typeof BookingStatus>;
export const WriteBackStatus = z.enum(WRITE_BACK_STATUSES);
export type WriteBackStatus = z.infer<typeof WriteBackStatus>;
export const BookingSource = z.enum(BOOKING_SOURCES);
export type BookingSource = z.infer<typeof BookingSource>;

const uuid = z.uuid();

/** A real calendar date 'YYYY-MM-DD' (2026-02-30 is refused). */
export const LocalDateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a real calendar date');

/** A clinic-local wall-clock time 'HH:MM' ('24:00' for a slot that ends at midnight). */
export const LocalTimeString = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM');

// ---- availability --------------------------------------------------------------------------------

/** `GET /api/clinics/:id/availability?from&to` (default today .. today + the clinic's forwardDays). */
export const AvailabilityQuery = z.strictObject({
  from: LocalDateString.optional(),
  to: LocalDateString.optional(),
});
export type AvailabilityQuery = z.infer<typeof AvailabilityQuery>;

export const AvailabilitySlot = z.object({
  slotId: uuid,
  date: LocalDateString,
  startTime: LocalTimeString,
  endTime: LocalTimeString,
  startsAt: z.iso.datetime(),
  capacity: z.number().int(),
  taken: z.number().int(),
  available: z.number().int().min(0),
});
export type AvailabilitySlot = z.infer<typeof AvailabilitySlot>;

export const AvailabilityOutput = z.object({
  clinicId: uuid,
  timezone: z.string(),
  slots: z.array(AvailabilitySlot),
});
export type AvailabilityOutput = z.infer<typeof AvailabilityOutput>;

// ---- holds ---------------------------------------------------------------------------------------

export const CreateHoldInput = z.strictObject({
  clinicId: uuid,
  slotId: uuid,
  ttlSeconds: z.number().int().min(HOLD_TTL_SECONDS.min).max(HOLD_TTL_SECONDS.max).default(HOLD_TTL_SECONDS.default),
});
export type CreateHoldInput = z.input<typeof CreateHoldInput>;

export const HoldOutput = z.object({ holdId: uuid, slotId: uuid, expiresAt: z.iso.datetime() });
export type HoldOutput = z.infer<typeof HoldOutput>;

// ---- bookings ------------------------------------------------------------------------------------

const name = safeText().trim().min(1).max(100);

export const BookingClientInput = z.strictObject({
  firstName: name,
  lastName: name,
  /** Any common notation; stored and compared in E.164 (the clinic's country is the default). */
  phone: safeText().trim().min(3).max(40),
  email: z.email().max(254).optional(),
});
export type BookingClientInput = z.infer<typeof BookingClientInput>;

export const BookingPatientInput = z.strictObject({
  name,
  species: safeText().trim().min(1).max(100).optional(),
  breed: safeText().trim().min(1).max(100).optional(),
});
export type BookingPatientInput = z.infer<typeof BookingPatientInput>;

export const CreateBookingInput = z
  .strictObject({
    clinicId: uuid,
    slotId: uuid.optional(),
    holdId: uuid.optional(),
    client: BookingClientInput,
    patient: BookingPatientInput,
    reason: safeText({ multiline: true }).trim().min(1).max(1000),
    source: BookingSource.default('api'),
    idempotencyKey: safeText().trim().min(1).max(200).optional(),
  })
  .refine((b) => b.slotId !== undefined || b.holdId !== undefined, { message: 'give a slotId or a holdId', path: ['slotId'] });
export type CreateBookingInput = z.input<typeof CreateBookingInput>;

/** A booking as the API shows it: `GET /api/bookings/:id`, and the answer of create, cancel and reschedule. */
export const BookingView = z.object({
  id: uuid,
  /** The same as id (the create answer names it bookingId). */
  bookingId: uuid,
  clinicId: uuid,
  slotId: uuid.nullable(),
  /** A hold past its expiry reads 'expired' at once, whatever a sweeper did. */
  status: BookingStatus,
  /** Null for a hold. */
  confirmationNumber: z.string().nullable(),
  startsAt: z.iso.datetime(),
  date: LocalDateString,
  startTime: LocalTimeString,
  endTime: LocalTimeString,
  client: z
    .object({ firstName: z.string(), lastName: z.string(), phone: z.string(), email: z.string().optional() })
    .nullable(),
  patient: z.object({ name: z.string(), species: z.string().optional(), breed: z.string().optional() }).nullable(),
  reason: z.string().nullable(),
  source: BookingSource,
  holdExpiresAt: z.iso.datetime().nullable(),
  writeBack: z.object({
    /** Null for a hold (nothing to write). */
    status: WriteBackStatus.nullable(),
    pimsAppointmentId: z.string().nullable(),
    error: z.string().nullable(),
    attempts: z.number().int(),
  }),
  confirmedAt: z.iso.datetime().nullable(),
  rescheduledAt: z.iso.datetime().nullable(),
  cancelledAt: z.iso.datetime().nullable(),
  cancelReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type BookingView = z.infer<typeof BookingView>;

export const BookingIdParam = z.object({ id: uuid });

export const ListBookingsQuery = z.strictObject({
  clinicId: uuid.optional(),
  status: BookingStatus.optional(),
  writeBackStatus: WriteBackStatus.optional(),
  limit: queryInt(1, 100, 20),
  cursor: safeText().max(200).optional(),
});
export type ListBookingsQuery = z.output<typeof ListBookingsQuery>;
export const ListBookingsOutput = z.object({ items: z.array(BookingView), nextCursor: z.string().nullable() });
export type ListBookingsOutput = z.infer<typeof ListBookingsOutput>;

export const CancelBookingInput = z.strictObject({ reason: safeText({ multiline: true }).trim().min(1).max(500).optional() });
export type CancelBookingInput = z.infer<typeof CancelBookingInput>;

export const RescheduleBookingInput = z.strictObject({ slotId: uuid });
export type RescheduleBookingInput = z.infer<typeof RescheduleBookingInput>;

/**
 * The error body of the booking routes: `slot_unavailable` carries up to 5 nearest slots with room
 * (`alternatives`, the shape of availability slots).
 */
export const BookingErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.unknown()).optional(),
    alternatives: z.array(AvailabilitySlot).optional(),
  }),
});
export type BookingErrorBody = z.infer<typeof BookingErrorBody>;
