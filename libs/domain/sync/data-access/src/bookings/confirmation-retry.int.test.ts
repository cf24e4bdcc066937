// Confirmation numbers are unique per clinic: a drawn number the clinic already has is drawn again
// inside a savepoint, and the booking goes through. The draw is scripted here; the database decides.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addDays, systemClock, todayIn } from '@pims/util';
import { createBookingFixture, type BookingFixture } from './booking.fixture';

const draws: string[] = [];
vi.mock('./confirmation-number', async (importOriginal) => {
  const real = await importOriginal<typeof import('./confirmation-number')>();
  return { ...real, newConfirmationNumber: () => draws.shift() ?? real.newConfirmationNumber() };
});

const TZ = 'America/New_York';
let f: BookingFixture;
beforeAll(async () => {
  f = await createBookingFixture();
});
afterAll(async () => {
  await f?.close();
});

describe('a confirmation number drawn twice', () => {
  it('is drawn again for the second booking of the clinic; another clinic may have the same one', async () => {
    const day = addDays(todayIn(TZ, systemClock), 1);
    const one = await f.addClinic({ timezone: TZ, from: day, to: day });
    const two = await f.addClinic({ timezone: TZ, from: day, to: day });
    const svc = f.service();
    const person = { client: { firstName: 'Ana', lastName: 'Lopez', phone: '555-123-4567' }, patient: { name: 'Biscuit' }, reason: 'Check-up' };
    draws.push('AAAAAA', 'AAAAAA', 'AAAAAA', 'BBBBBB', 'AAAAAA');
    const first = await svc.book({ clinicId: one, slotId: await f.slotId(one, day, '09:00:00'), ...person });
    const hold = await svc.hold({ clinicId: one, slotId: await f.slotId(one, day, '09:30:00') });
    const second = await svc.book({ clinicId: one, holdId: hold.holdId, ...person });
    const elsewhere = await svc.book({ clinicId: two, slotId: await f.slotId(two, day, '09:00:00'), ...person });
    expect([first.confirmationNumber, second.confirmationNumber, elsewhere.confirmationNumber]).toEqual(['AAAAAA', 'BBBBBB', 'AAAAAA']);
    expect(draws).toEqual([]);
    expect(await f.seats(await f.slotId(one, day, '09:30:00'))).toMatchObject({ taken: 1 });
  });
});
