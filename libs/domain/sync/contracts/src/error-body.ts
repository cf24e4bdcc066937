import { z } from 'zod';
import { AvailabilitySlot } from './bookings';

/**
 * The error body of every route: `{error:{code, message}}`, with the zod issues of a validation
 * error, the active sync of `sync_in_progress`, or the nearest slots with room of `slot_unavailable`
 * (up to 5, the shape of availability slots). Its own file: it names the booking API's slots, and
 * bookings.ts builds on api.ts.
 */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.unknown()).optional(),
    activeSyncId: z.uuid().optional(),
    alternatives: z.array(AvailabilitySlot).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
