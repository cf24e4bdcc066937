// Availability on the clinic's calendar: "today" is the clinic's local date, dates and times are its
// wall clock, startsAt the instant the forward sync's grid gave the slot, at both ends of the world's
// offsets and across New York's DST changes. Slots are made as the forward sync makes them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantOfLocal, localDateOf, localTimeOf } from '@pims/util';
import type { AvailabilityOutput } from '@pims/sync-contracts';
import { createBookingFixture, type BookingFixture } from './booking.fixture';

let f: BookingFixture;
beforeAll(async () => {
  f = await createBookingFixture();
});
afterAll(async () => {
  await f?.close();
});

/** Every slot's date, time and startsAt tell the same moment on the clinic's calendar, in time order. */
function expectOnTheCalendar(out: AvailabilityOutput) {
  let last = 0;
  for (const s of out.slots) {
    const at = new Date(s.startsAt);
    expect(localDateOf(at, out.timezone), s.startsAt).toBe(s.date);
    expect(localTimeOf(at, out.timezone), s.startsAt).toBe(s.startTime);
    expect(instantOfLocal(s.date, s.startTime, out.timezone)!.toISOString()).toBe(s.startsAt);
    expect(at.getTime()).toBeGreaterThan(last);
    last = at.getTime();
  }
}

const brief = (out: AvailabilityOutput) => out.slots.map((s) => `${s.date} ${s.startTime} ${s.startsAt}`);

describe('availability at UTC+14 and UTC-11', () => {
  const hours = { openTime: '08:00', closeTime: '12:00', slotMinutes: 60, forwardDays: 1 };

  it('Pacific/Kiritimati (UTC+14): today is already tomorrow in UTC; the default window is its today .. today+1', async () => {
    // 2026-12-01 10:30 UTC is 2026-12-02 00:30 in Kiritimati
    const id = await f.addClinic({ timezone: 'Pacific/Kiritimati', from: '2026-11-30', to: '2026-12-05', ...hours });
    const svc = f.service({ clock: () => new Date('2026-12-01T10:30:00Z') });
    const out = await svc.availability(id);
    expect(out.timezone).toBe('Pacific/Kiritimati');
    expect(brief(out)).toEqual([
      '2026-12-02 08:00 2026-12-01T18:00:00.000Z',
      '2026-12-02 09:00 2026-12-01T19:00:00.000Z',
      '2026-12-02 10:00 2026-12-01T20:00:00.000Z',
      '2026-12-02 11:00 2026-12-01T21:00:00.000Z',
      '2026-12-03 08:00 2026-12-02T18:00:00.000Z',
      '2026-12-03 09:00 2026-12-02T19:00:00.000Z',
      '2026-12-03 10:00 2026-12-02T20:00:00.000Z',
      '2026-12-03 11:00 2026-12-02T21:00:00.000Z',
    ]);
    expectOnTheCalendar(out);
    expect(out.slots[0]).toMatchObject({ endTime: '09:00', capacity: 2, taken: 0, available: 2 });
    // later that local day: today's started slots are gone, tomorrow's are all there
    const mid = f.service({ clock: () => new Date('2026-12-01T19:30:00Z') }); // 09:30 on 2026-12-02 there
    const today = await mid.availability(id, { from: '2026-12-02', to: '2026-12-03' });
    expect(today.slots.map((s) => `${s.date} ${s.startTime}`)).toEqual([
      '2026-12-02 10:00',
      '2026-12-02 11:00',
      '2026-12-03 08:00',
      '2026-12-03 09:00',
      '2026-12-03 10:00',
      '2026-12-03 11:00',
    ]);
    expectOnTheCalendar(today);
  });

  it('Pacific/Pago_Pago (UTC-11): today is still yesterday in UTC; its slots today have passed, tomorrow is open', async () => {
    // 2026-12-01 10:30 UTC is 2026-11-30 23:30 in Pago Pago
    const id = await f.addClinic({ timezone: 'Pacific/Pago_Pago', from: '2026-11-29', to: '2026-12-05', ...hours });
    const svc = f.service({ clock: () => new Date('2026-12-01T10:30:00Z') });
    const out = await svc.availability(id);
    expect(brief(out)).toEqual([
      '2026-12-01 08:00 2026-12-01T19:00:00.000Z',
      '2026-12-01 09:00 2026-12-01T20:00:00.000Z',
      '2026-12-01 10:00 2026-12-01T21:00:00.000Z',
      '2026-12-01 11:00 2026-12-01T22:00:00.000Z',
    ]);
    expectOnTheCalendar(out);
    const mid = f.service({ clock: () => new Date('2026-12-01T19:30:00Z') }); // 08:30 on 2026-12-01 there
    const today = await mid.availability(id, { from: '2026-12-01', to: '2026-12-02' });
    expect(today.slots.map((s) => `${s.date} ${s.startTime}`)).toEqual([
      '2026-12-01 09:00',
      '2026-12-01 10:00',
      '2026-12-01 11:00',
      '2026-12-02 08:00',
      '2026-12-02 09:00',
      '2026-12-02 10:00',
      '2026-12-02 11:00',
    ]);
    expectOnTheCalendar(today);
  });

  it('books, holds and finds alternatives on the same calendar', async () => {
    const id = await f.addClinic({ timezone: 'Pacific/Kiritimati', from: '2026-12-02', to: '2026-12-03', ...hours, capacity: 1 });
    const svc = f.service({ clock: () => new Date('2026-12-01T10:30:00Z') });
    const slot = await f.slotId(id, '2026-12-02', '11:00:00');
    const booked = await svc.book({
      clinicId: id,
      slotId: slot,
      client: { firstName: 'Tia', lastName: 'Kaiea', phone: '7512 3456' }, // a national Kiribati number
      patient: { name: 'Moana' },
      reason: 'Check-up',
    });
    expect(booked).toMatchObject({ date: '2026-12-02', startTime: '11:00', endTime: '12:00', startsAt: '2026-12-01T21:00:00.000Z' });
    expect(booked.client!.phone).toBe('+68675123456'); // read in the clinic's country (KI)
    const alts = await svc.alternatives(id, slot, 3);
    // nearest by instant: 10:00 the same day (1 h), then 09:00 (2 h), then 08:00 (3 h); 08:00 next day is 21 h away
    expect(alts.map((s) => `${s.date} ${s.startTime}`)).toEqual(['2026-12-02 10:00', '2026-12-02 09:00', '2026-12-02 08:00']);
  });
});

describe('availability across New York DST changes', () => {
  const allDay = { timezone: 'America/New_York', openTime: '00:00', closeTime: '24:00', slotMinutes: 60 };

  it('spring forward (2026-03-08): 23 slots, no 02:00, 01:00 EST then 03:00 EDT an hour apart', async () => {
    const id = await f.addClinic({ ...allDay, from: '2026-03-07', to: '2026-03-09' });
    const svc = f.service({ clock: () => new Date('2026-03-01T00:00:00Z') });
    const out = await svc.availability(id, { from: '2026-03-07', to: '2026-03-09' });
    const day = out.slots.filter((s) => s.date === '2026-03-08');
    expect(day).toHaveLength(23);
    expect(day.map((s) => s.startTime)).not.toContain('02:00');
    expect(day.find((s) => s.startTime === '01:00')!.startsAt).toBe('2026-03-08T06:00:00.000Z');
    expect(day.find((s) => s.startTime === '03:00')!.startsAt).toBe('2026-03-08T07:00:00.000Z');
    expect(day[day.length - 1]).toMatchObject({ startTime: '23:00', endTime: '24:00', startsAt: '2026-03-09T03:00:00.000Z' });
    expect(out.slots.filter((s) => s.date === '2026-03-07')).toHaveLength(24);
    expectOnTheCalendar(out);
  });

  it('fall back (2026-11-01): 24 slots, 01:00 is its first occurrence (EDT), 02:00 EST two hours later', async () => {
    const id = await f.addClinic({ ...allDay, from: '2026-10-31', to: '2026-11-02' });
    const svc = f.service({ clock: () => new Date('2026-10-01T00:00:00Z') });
    const out = await svc.availability(id, { from: '2026-10-31', to: '2026-11-02' });
    const day = out.slots.filter((s) => s.date === '2026-11-01');
    expect(day).toHaveLength(24);
    expect(day.find((s) => s.startTime === '01:00')!.startsAt).toBe('2026-11-01T05:00:00.000Z');
    expect(day.find((s) => s.startTime === '02:00')!.startsAt).toBe('2026-11-01T07:00:00.000Z');
    expectOnTheCalendar(out);
    // the night of the change, "now" on either side of it: the started slots are left out, by instant
    const duringRepeat = f.service({ clock: () => new Date('2026-11-01T06:30:00Z') }); // 01:30 EST, the second 01:30
    const rest = await duringRepeat.availability(id, { from: '2026-11-01', to: '2026-11-01' });
    expect(rest.slots[0]).toMatchObject({ startTime: '02:00', startsAt: '2026-11-01T07:00:00.000Z' });
  });
});
