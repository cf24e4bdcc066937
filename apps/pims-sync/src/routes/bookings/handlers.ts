import type { RouteHandler } from '@hono/zod-openapi';
import type { BookingService, WriteBackService } from '@pims/sync-data-access';
import type * as routes from './routes';

export interface BookingsDeps {
  bookings: BookingService;
  writeBack: Pick<WriteBackService, 'retry'>;
}

/**
 * The booking API. Every seat decision is the domain's (BookingService: the slot row locked, seats
 * counted under the lock), so the handlers only validate, call and answer. slot_unavailable is a 409
 * whose body carries the nearest slots with room (error.alternatives, from the error's details).
 */
export function bookingsHandlers(deps: BookingsDeps) {
  const { bookings, writeBack } = deps;

  const availability: RouteHandler<typeof routes.availability> = async (c) => {
    const { from, to } = c.req.valid('query');
    return c.json(await bookings.availability(c.req.valid('param').id, { from, to }), 200);
  };

  const hold: RouteHandler<typeof routes.hold> = async (c) => {
    return c.json(await bookings.hold(c.req.valid('json')), 201);
  };

  // The same idempotencyKey again answers the first booking, as the first answer was (201).
  const create: RouteHandler<typeof routes.create> = async (c) => {
    return c.json(await bookings.book(c.req.valid('json')), 201);
  };

  const list: RouteHandler<typeof routes.list> = async (c) => {
    return c.json(await bookings.list(c.req.valid('query')), 200);
  };

  const get: RouteHandler<typeof routes.get> = async (c) => {
    return c.json(await bookings.get(c.req.valid('param').id), 200);
  };

  const cancel: RouteHandler<typeof routes.cancel> = async (c) => {
    const body = c.req.valid('json');
    return c.json(await bookings.cancel(c.req.valid('param').id, body.reason), 200);
  };

  const reschedule: RouteHandler<typeof routes.reschedule> = async (c) => {
    return c.json(await bookings.reschedule(c.req.valid('param').id, c.req.valid('json').slotId), 200);
  };

  /**
   * failed -> pending in one guarded update, with a new outbox row and its job in the same
   * transaction (two admins retrying at once: one 202, one 409 write_back_not_failed; 404
   * booking_not_found). The write-back worker then writes it.
   */
  const retryWriteBack: RouteHandler<typeof routes.retryWriteBack> = async (c) => {
    const retried = await writeBack.retry(c.req.valid('param').id);
    return c.json({ bookingId: retried.id, writeBack: { status: 'pending' as const } }, 202);
  };

  return { availability, hold, create, list, get, cancel, reschedule, retryWriteBack };
}
