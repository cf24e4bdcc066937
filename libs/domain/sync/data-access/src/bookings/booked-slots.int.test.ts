// A slot that holds a live booking never vanishes: the forward sync's replaceSlots retires it
// (capacity 0) instead of deleting it, even when a booking takes a seat in it while the sync runs;
// any other delete of it fails. Slots are made as the forward sync makes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '@pims/db';
import { addDays, systemClock, todayIn } from '@pims/util';
import { buildSlotGrid, type GridConfig } from '../services/schedule-grid';
import { createBookingFixture, type BookingFixture } from './booking.fixture';

const TZ = 'America/New_York';
let f: BookingFixture;
let day: string;
const grid = (open: string, close: string): GridConfig => ({
  timezone: TZ,
  hours: [{ daysOfWeek: [1, 2, 3, 4, 5, 6, 7], startTime: open, endTime: close }],
  slotMinutes: 30,
  capacity: 2,
});
const person = { client: { firstName: 'Ana', lastName: 'Lopez', phone: '555-123-4567' }, patient: { name: 'Biscuit' }, reason: 'Check-up' };

beforeAll(async () => {
  f = await createBookingFixture();
  day = addDays(todayIn(TZ, systemClock), 1);
});
afterAll(async () => {
  await f?.close();
});

describe('replaceSlots and live bookings', () => {
  it('retires a slot out of the grid that holds a live booking or hold, deletes the others, and reopens it when the grid brings it back', async () => {
    const clinicId = await f.addClinic({ timezone: TZ, from: day, to: day, openTime: '09:00', closeTime: '12:00' });
    const svc = f.service();
    const [s900, s930, s1000, s1030] = await Promise.all(['09:00:00', '09:30:00', '10:00:00', '10:30:00'].map((t) => f.slotId(clinicId, day, t)));
    const booked = await svc.book({ clinicId, slotId: s900, ...person });
    await svc.hold({ clinicId, slotId: s930 });
    const gone = await svc.book({ clinicId, slotId: s1000, ...person });
    await svc.cancel(gone.id);

    // the clinic now opens at 11:00
    const r = await f.schedule.replaceSlots(clinicId, day, day, buildSlotGrid(grid('11:00', '12:00'), day, day));
    expect(r).toMatchObject({ deleted: 2, retired: 2 });
    const left = await f.query<{ id: string; capacity: number }>(`select id, capacity from public.schedule_slots where clinic_id = $1 and start_time < '11:00' order by start_time`, [clinicId]);
    expect(left).toEqual([{ id: s900, capacity: 0 }, { id: s930, capacity: 0 }]);
    expect(await f.query(`select 1 from public.schedule_slots where id = any($1::uuid[])`, [[s1000, s1030]])).toEqual([]);
    expect(await svc.get(booked.id)).toMatchObject({ slotId: s900, status: 'confirmed' });
    expect(await svc.get(gone.id)).toMatchObject({ slotId: null, status: 'cancelled', startTime: '10:00' }); // its history stays
    expect(await f.seats(s900)).toEqual({ capacity: 0, taken: 1, available: 0 });
    const open = await svc.availability(clinicId, { from: day, to: day });
    expect(open.slots.map((s) => s.startTime)).toEqual(['11:00', '11:30']);
    await expect(svc.book({ clinicId, slotId: s900, ...person })).rejects.toMatchObject({ code: 'slot_unavailable' });
    // running it again changes nothing
    expect(await f.schedule.replaceSlots(clinicId, day, day, buildSlotGrid(grid('11:00', '12:00'), day, day))).toMatchObject({ deleted: 0, retired: 0, upserted: 0 });

    await f.schedule.replaceSlots(clinicId, day, day, buildSlotGrid(grid('09:00', '12:00'), day, day));
    expect(await f.seats(s900)).toEqual({ capacity: 2, taken: 1, available: 1 });
  });

  it('a slot with a live booking cannot be deleted by anything else', async () => {
    const clinicId = await f.addClinic({ timezone: TZ, from: day, to: day });
    const slot = await f.slotId(clinicId, day, '09:00:00');
    await f.service().book({ clinicId, slotId: slot, ...person });
    await expect(f.query(`delete from public.schedule_slots where id = $1`, [slot])).rejects.toMatchObject({ code: '23514', constraint: 'bookings_live_has_slot' });
  });

  it('a booking that takes a seat while the sync replaces the slots is seen: the slot is retired, not deleted', async () => {
    const clinicId = await f.addClinic({ timezone: TZ, from: day, to: day, openTime: '09:00', closeTime: '10:00' });
    const slot = await f.slotId(clinicId, day, '09:00:00');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    // the booking holds its slot lock, its row written but not committed, until released
    const svc = f.service({ hooks: { onConfirmed: async () => (inside(), gate) } }, f.other);
    const booking = svc.book({ clinicId, slotId: slot, ...person });
    await entered;
    const sync = withTransaction(f.db.pool, (tx) => f.schedule.replaceSlots(clinicId, day, day, buildSlotGrid(grid('09:30', '10:00'), day, day), tx));
    // the sync (on the first pool) is waiting for the booking's locks
    for (;;) {
      const waiting = await f.query(
        `select 1 from pg_stat_activity where datname = current_database() and application_name = 'pims-test' and wait_event_type = 'Lock'`,
      );
      if (waiting.length) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    release();
    const [b, r] = await Promise.all([booking, sync]);
    expect(r).toMatchObject({ retired: 1, deleted: 0 });
    expect(await f.service().get(b.id)).toMatchObject({ slotId: slot, status: 'confirmed' });
    expect(await f.seats(slot)).toEqual({ capacity: 0, taken: 1, available: 0 });
  });
});
