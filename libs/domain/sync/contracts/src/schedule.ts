import { z } from 'zod';
import { LocalDateString, LocalTimeString } from './bookings';

/**
 * `GET /api/clinics/:id/schedule?from&to`: every slot of a clinic's days with what fills it, for the
 * dashboard's schedule grid. Unlike availability it lists past and closed slots too, and tells the
 * PIMS's own appointments apart from the product's bookings. Dates are the clinic's local calendar
 * days, times its wall clock; `startsAt` is the UTC instant. Browser-safe: zod only.
 */

/** The longest window one schedule request may ask for, in days (both ends included). */
export const MAX_SCHEDULE_DAYS = 31;
/** The window the schedule answers when no `to` is given: `from` and the 13 days after it. */
export const DEFAULT_SCHEDULE_DAYS = 14;

export const ScheduleQuery = z.strictObject({
  /** Default: the clinic's today. */
  from: LocalDateString.optional(),
  /** Default: from + 13 days. */
  to: LocalDateString.optional(),
});
export type ScheduleQuery = z.infer<typeof ScheduleQuery>;

const count = z.number().int().min(0);

export const ScheduleSlot = z.object({
  slotId: z.uuid(),
  date: LocalDateString,
  startTime: LocalTimeString,
  endTime: LocalTimeString,
  startsAt: z.iso.datetime(),
  /** Seats; 0 for a slot retired by a schedule change that still holds bookings. */
  capacity: count,
  /** The slot's booked_count: live PIMS appointments linked to it (ours once synced back included). */
  bookedCount: count,
  /** Of those, the ones that are not one of our bookings (the front desk's, or other systems'). */
  pimsAppointments: count,
  /** Our confirmed bookings in the slot, written to the PIMS or not. */
  bookings: count,
  /** Of those, the ones not yet linked to a synced PIMS appointment (each takes a seat of its own). */
  unlinkedBookings: count,
  /** Holds that have not expired. */
  holds: count,
  /** Seats taken: booked_count + unlinked confirmed bookings + live holds (less appointments of cancelled bookings). */
  taken: count,
  /** capacity - taken, never below 0. */
  available: count,
});
export type ScheduleSlot = z.infer<typeof ScheduleSlot>;

export const ScheduleOutput = z.object({
  clinicId: z.uuid(),
  timezone: z.string(),
  /** The clinic's local date now. */
  today: LocalDateString,
  from: LocalDateString,
  to: LocalDateString,
  /** In time order. */
  slots: z.array(ScheduleSlot),
});
export type ScheduleOutput = z.infer<typeof ScheduleOutput>;
