import type { RouteHandler } from '@hono/zod-openapi';
import { DEFAULT_SCHEDULE_DAYS, MAX_SCHEDULE_DAYS } from '@pims/sync-contracts';
import type { BookingsRepository } from '@pims/sync-data-access';
import { AppError, addDays, systemClock, todayIn, type Clock } from '@pims/util';
import type * as routes from './routes';

export interface ScheduleDeps {
  /** The seat arithmetic (public.slot_availability) and the clinic's zone. */
  bookings: Pick<BookingsRepository, 'findClinic' | 'scheduleGrid'>;
  clock?: Clock;
}

const invalidRange = (message: string) => new AppError('invalid_range', message, { status: 400 });

/** Whole days from a to b (both YYYY-MM-DD), b included. */
const daysInRange = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000) + 1;

/**
 * A clinic's schedule for the dashboard's grid: every slot of the window, read only. Dates are the
 * clinic's local days ("today" in its zone, never the server's); seats are counted where bookings
 * count them (slot_availability), on the database's clock.
 */
export function scheduleHandlers(deps: ScheduleDeps) {
  const clock = deps.clock ?? systemClock;

  const schedule: RouteHandler<typeof routes.schedule> = async (c) => {
    const clinic = await deps.bookings.findClinic(c.req.valid('param').id);
    if (!clinic) throw new AppError('clinic_not_found', 'No clinic with this id', { status: 404 });
    const q = c.req.valid('query');
    const today = todayIn(clinic.timezone, clock);
    const from = q.from ?? today;
    const to = q.to ?? addDays(from, DEFAULT_SCHEDULE_DAYS - 1);
    if (to < from) throw invalidRange(`The range starts after it ends (${from} .. ${to})`);
    if (daysInRange(from, to) > MAX_SCHEDULE_DAYS) throw invalidRange(`The range is longer than ${MAX_SCHEDULE_DAYS} days (${from} .. ${to})`);
    const slots = await deps.bookings.scheduleGrid(clinic.id, from, to, null);
    return c.json({ clinicId: clinic.id, timezone: clinic.timezone, today, from, to, slots }, 200);
  };

  return { schedule };
}
