import { callPimsSync } from '@/server/api/errors';
import { adminProcedure, createTRPCRouter } from '@/server/api/trpc';
import { bookingIdSchema, listBookingsSchema } from './schema';

/** admin.bookings: what the voice assistant and the API booked, and whether it reached the PIMS. */
export const adminBookingsRouter = createTRPCRouter({
  list: adminProcedure.input(listBookingsSchema).query(({ ctx, input }) =>
    callPimsSync(() =>
      ctx.pimsSync.listBookings({
        clinicId: input.clinicId,
        status: input.status,
        writeBackStatus: input.writeBackStatus,
        limit: input.limit,
        cursor: input.cursor ?? undefined,
      }),
    ),
  ),

  /** failed -> pending; pims-sync answers 409 (CONFLICT, its own message) when the write-back is not failed. */
  retryWriteBack: adminProcedure.input(bookingIdSchema).mutation(({ ctx, input }) => callPimsSync(() => ctx.pimsSync.retryWriteBack(input.bookingId))),
});
