import { describe, expect, it } from 'vitest';
import {
  AvailabilityQuery,
  BookingView,
  CancelBookingInput,
  CreateBookingInput,
  CreateHoldInput,
  ListBookingsQuery,
  RescheduleBookingInput,
} from './bookings';

const id = '6f1c2a4e-8b7d-4c3a-9e2f-1a2b3c4d5e6f';
const booking = {
  clinicId: id,
  slotId: id,
  client: { firstName: 'Ana', lastName: 'Lopez', phone: '+15551234567' },
  patient: { name: 'Biscuit' },
  reason: 'Annual vaccines',
};

describe('booking API schemas', () => {
  it('take a booking by slot or by hold, with source api by default, and refuse one with neither', () => {
    expect(CreateBookingInput.parse(booking)).toMatchObject({ source: 'api' });
    expect(CreateBookingInput.parse({ ...booking, slotId: undefined, holdId: id, source: 'voice' })).toMatchObject({ holdId: id, source: 'voice' });
    expect(CreateBookingInput.safeParse({ ...booking, slotId: undefined }).success).toBe(false);
  });

  it('are strict, and refuse control characters, bad emails and unknown sources', () => {
    expect(CreateBookingInput.safeParse({ ...booking, extra: 1 }).success).toBe(false);
    expect(CreateBookingInput.safeParse({ ...booking, client: { ...booking.client, admin: true } }).success).toBe(false);
    expect(CreateBookingInput.safeParse({ ...booking, patient: { name: 'Bis\u0000cuit' } }).success).toBe(false);
    expect(CreateBookingInput.safeParse({ ...booking, client: { ...booking.client, email: 'nope' } }).success).toBe(false);
    expect(CreateBookingInput.safeParse({ ...booking, source: 'fax' }).success).toBe(false);
    expect(CreateBookingInput.parse({ ...booking, reason: 'Limping\nsince Monday' }).reason).toBe('Limping\nsince Monday');
    expect(CancelBookingInput.safeParse({ reason: 'x', why: 1 }).success).toBe(false);
    expect(RescheduleBookingInput.safeParse({ slotId: 'abc' }).success).toBe(false);
  });

  it('bound a hold to 5..900 s (300 by default) and dates to real calendar days', () => {
    expect(CreateHoldInput.parse({ clinicId: id, slotId: id })).toMatchObject({ ttlSeconds: 300 });
    for (const ttlSeconds of [4, 901, 10.5]) expect(CreateHoldInput.safeParse({ clinicId: id, slotId: id, ttlSeconds }).success).toBe(false);
    expect(AvailabilityQuery.parse({ from: '2026-03-08', to: '2026-03-09' })).toEqual({ from: '2026-03-08', to: '2026-03-09' });
    expect(AvailabilityQuery.safeParse({ from: '2026-02-30' }).success).toBe(false);
    expect(AvailabilityQuery.safeParse({ from: '08/03/2026' }).success).toBe(false);
  });

  it('read list queries from the query string', () => {
    expect(ListBookingsQuery.parse({})).toEqual({ limit: 20 });
    expect(ListBookingsQuery.parse({ limit: '5', status: 'confirmed', writeBackStatus: 'failed' })).toEqual({ limit: 5, status: 'confirmed', writeBackStatus: 'failed' });
    expect(ListBookingsQuery.safeParse({ limit: '500' }).success).toBe(false);
  });

  it('describe a booking view (a hold has no client, confirmation number or write-back status)', () => {
    const t = '2026-12-02T14:00:00.000Z';
    const hold = {
      id,
      bookingId: id,
      clinicId: id,
      slotId: id,
      status: 'held',
      confirmationNumber: null,
      startsAt: t,
      date: '2026-12-02',
      startTime: '09:00',
      endTime: '24:00',
      client: null,
      patient: null,
      reason: null,
      source: 'api',
      holdExpiresAt: t,
      writeBack: { status: null, pimsAppointmentId: null, error: null, attempts: 0 },
      confirmedAt: null,
      rescheduledAt: null,
      cancelledAt: null,
      cancelReason: null,
      createdAt: t,
      updatedAt: t,
    };
    expect(BookingView.parse(hold)).toEqual(hold);
    expect(BookingView.safeParse({ ...hold, status: 'lost' }).success).toBe(false);
  });
});
