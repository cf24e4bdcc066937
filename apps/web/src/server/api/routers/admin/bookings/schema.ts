import { z } from 'zod';
import { BookingStatus, WriteBackStatus } from '@pims/sync-contracts';

/** Inputs of the admin.bookings procedures. */

export const listBookingsSchema = z
  .strictObject({
    clinicId: z.uuid({ error: 'Not a clinic id' }).optional(),
    status: BookingStatus.optional(),
    writeBackStatus: WriteBackStatus.optional(),
    limit: z.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(200).nullish(),
  })
  .default({ limit: 20 });

export const bookingIdSchema = z.strictObject({ bookingId: z.uuid({ error: 'Not a booking id' }) });
