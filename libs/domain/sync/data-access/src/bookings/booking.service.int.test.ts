// Seats under concurrency, holds, cancel, idempotency, reschedule and the forward sync's counting, on
// a real PostgreSQL with two pools (two processes). Seat decisions here use the database's clock
// unless a test moves an injected one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, isAppError, systemClock, todayIn } from '@pims/util';
import type { BookingView } from '@pims/sync-contracts';
import { createBookingFixture, type BookingFixture } from './booking.fixture';
import type { BookingService, BookInput } from './booking.service';

const TZ = 'America/New_York';
let f: BookingFixture;
let a: BookingService; // process A
let b: BookingService; // process B
let day: string; // tomorrow in the clinic: every slot of it is in the future
let clinicId: string;

const client = { firstName: 'Ana', lastName: 'Lopez', phone: '(555) 123-4567', email: 'ana@example.com' };
const patient = { name: 'Biscuit', species: 'Canine' };
const request = (slotId: string, more: Partial<BookInput> = {}): BookInput => ({ clinicId, slotId, client, patient, reason: 'Annual vaccines', ...more });

/** Resolves every promise; returns the successes and the AppError codes of the failures. */
async function settle<T>(ps: Promise<T>[]) {
  const results = await Promise.allSettled(ps);
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  for (const e of errors) if (!isAppError(e)) throw e;
  return { ok, errors };
}

beforeAll(async () => {
  f = await createBookingFixture();
  a = f.service();
  b = f.service({}, f.other);
  day = addDays(todayIn(TZ, systemClock), 1);
  clinicId = await f.addClinic({ timezone: TZ, from: day, to: addDays(day, 3), capacity: 2 });
});
afterAll(async () => {
  await f?.close();
});

describe('seats under concurrency, across two processes', () => {
  it('50 simultaneous bookings for a slot with one seat left: exactly one books, 49 get slot_unavailable with alternatives, 0 left', async () => {
    const slot = await f.slotId(clinicId, day, '09:00:00');
    await a.book(request(slot)); // one of the two seats taken
    expect(await f.seats(slot)).toEqual({ capacity: 2, taken: 1, available: 1 });
    const { ok, errors } = await settle(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).book(request(slot, { patient: { name: `Pet ${i}` } }))));
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatchObject({ status: 'confirmed', slotId: slot, writeBack: { status: 'pending', pimsAppointmentId: null, error: null, attempts: 0 } });
    expect(errors).toHaveLength(49);
    for (const e of errors) {
      expect(e).toMatchObject({ code: 'slot_unavailable', status: 409 });
      const alts = e.details.alternatives as { slotId: string; available: number; startsAt: string }[];
      expect(alts.length).toBeGreaterThan(0);
      expect(alts.length).toBeLessThanOrEqual(5);
      expect(alts.every((s) => s.slotId !== slot && s.available >= 1)).toBe(true);
    }
    // the nearest first: 08:30 does not exist (opens 09:00), so 09:30 leads
    expect(errors[0].details.alternatives[0]).toMatchObject({ date: day, startTime: '09:30' });
    expect(await f.seats(slot)).toEqual({ capacity: 2, taken: 2, available: 0 });
    const rows = await f.query(`select count(*)::int as n from public.bookings where slot_id = $1 and status = 'confirmed'`, [slot]);
    expect(rows[0].n).toBe(2);
    const listed = (await a.availability(clinicId, { from: day, to: day })).slots.find((s) => s.slotId === slot);
    expect(listed).toMatchObject({ capacity: 2, taken: 2, available: 0 });
  });

  it('the same for holds: 50 simultaneous holds for one seat left give exactly one hold', async () => {
    const slot = await f.slotId(clinicId, day, '10:00:00');
    await b.hold({ clinicId, slotId: slot, ttlSeconds: 600 });
    const { ok, errors } = await settle(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).hold({ clinicId, slotId: slot })));
    expect(ok).toHaveLength(1);
    expect(errors.map((e) => e.code)).toEqual(Array(49).fill('slot_unavailable'));
    expect(errors[0].details.alternatives.length).toBeGreaterThan(0);
    expect(await f.seats(slot)).toEqual({ capacity: 2, taken: 2, available: 0 });
  });

  it('N simultaneous requests for k free seats give exactly k successes, holds and bookings mixed', async () => {
    const three = await f.addClinic({ timezone: TZ, from: day, to: day, capacity: 3 });
    const slot = await f.slotId(three, day, '11:00:00');
    const { ok, errors } = await settle<unknown>(
      Array.from({ length: 30 }, (_, i): Promise<unknown> =>
        i % 3 === 0 ? (i % 2 ? a : b).hold({ clinicId: three, slotId: slot }) : (i % 2 ? a : b).book({ ...request(slot), clinicId: three }),
      ),
    );
    expect(ok).toHaveLength(3);
    expect(errors).toHaveLength(27);
    expect(await f.seats(slot)).toEqual({ capacity: 3, taken: 3, available: 0 });
  });
});

describe('holds', () => {
  it('a hold of ttl 5 s counts until its instant and stops counting at it, with no sweeper; booking it then is hold_expired', async () => {
    const one = await f.addClinic({ timezone: TZ, from: day, to: day, capacity: 1 });
    const slot = await f.slotId(one, day, '09:00:00');
    let now = new Date(`${day}T05:00:00Z`); // the night before the slot, New York time
    const timed = f.service({ clock: () => now });
    const hold = await timed.hold({ clinicId: one, slotId: slot, ttlSeconds: 5 });
    expect(hold.expiresAt).toBe(new Date(now.getTime() + 5000).toISOString());
    const t0 = now.getTime();
    now = new Date(t0 + 4999);
    await expect(timed.hold({ clinicId: one, slotId: slot })).rejects.toMatchObject({ code: 'slot_unavailable' });
    expect((await timed.availability(one, { from: day, to: day })).slots[0]).toMatchObject({ slotId: slot, taken: 1, available: 0 });
    now = new Date(t0 + 5000); // the expiry instant itself: no longer counted
    expect((await timed.availability(one, { from: day, to: day })).slots[0]).toMatchObject({ slotId: slot, taken: 0, available: 1 });
    expect((await timed.get(hold.holdId)).status).toBe('expired');
    await expect(timed.book({ ...request(slot), clinicId: one, slotId: undefined, holdId: hold.holdId })).rejects.toMatchObject({
      code: 'hold_expired',
      status: 409,
    });
    const booked = await timed.book({ ...request(slot), clinicId: one });
    expect(booked.status).toBe('confirmed');
    // a sweeper only tidies: the stored status agrees, the counts do not move
    expect(await timed.expireHolds()).toBeGreaterThanOrEqual(1); // other tests' holds lapsed too by this clock
    expect(await f.query(`select status from public.bookings where id = $1`, [hold.holdId])).toEqual([{ status: 'expired' }]);
    expect(await f.seats(slot, now)).toEqual({ capacity: 1, taken: 1, available: 0 });
  });

  it('with the database clock, a hold counts an instant before its expiresAt and not at it', async () => {
    const one = await f.addClinic({ timezone: TZ, from: day, to: day, capacity: 1 });
    const slot = await f.slotId(one, day, '09:30:00');
    const hold = await a.hold({ clinicId: one, slotId: slot, ttlSeconds: 5 });
    const expires = new Date(hold.expiresAt);
    const [created] = await f.query<{ created_at: Date }>(`select created_at from public.bookings where id = $1`, [hold.holdId]);
    // the expiry is the database's now (read under the lock) + 5 s
    expect(expires.getTime() - created.created_at.getTime()).toBeGreaterThanOrEqual(5000);
    expect(expires.getTime() - created.created_at.getTime()).toBeLessThan(6000);
    expect(await f.seats(slot, new Date(expires.getTime() - 1))).toMatchObject({ taken: 1, available: 0 });
    expect(await f.seats(slot, expires)).toMatchObject({ taken: 0, available: 1 });
  });

  it('a live hold becomes the booking (same id), the seat counted once; the same request again answers it', async () => {
    const one = await f.addClinic({ timezone: TZ, from: day, to: day, capacity: 1 });
    const slot = await f.slotId(one, day, '10:00:00');
    const hold = await b.hold({ clinicId: one, slotId: slot });
    const req = { ...request(slot), clinicId: one, slotId: undefined, holdId: hold.holdId };
    const booked = await a.book(req);
    expect(booked).toMatchObject({ id: hold.holdId, bookingId: hold.holdId, status: 'confirmed', slotId: slot });
    expect(booked.confirmationNumber).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{6}$/);
    expect(await f.seats(slot)).toEqual({ capacity: 1, taken: 1, available: 0 });
    expect(await b.book(req)).toEqual(booked);
    await expect(a.book({ ...req, reason: 'Something else' })).rejects.toMatchObject({ code: 'hold_not_found' });
    await expect(a.book({ ...req, holdId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'hold_not_found', status: 404 });
  });
});

describe('cancel', () => {
  it('frees the seat at once; a cancelled booking can be neither cancelled nor rescheduled again', async () => {
    const one = await f.addClinic({ timezone: TZ, from: day, to: day, capacity: 1 });
    const slot = await f.slotId(one, day, '09:00:00');
    const other = await f.slotId(one, day, '09:30:00');
    const first = await a.book({ ...request(slot), clinicId: one });
    await expect(b.book({ ...request(slot), clinicId: one })).rejects.toMatchObject({ code: 'slot_unavailable' });
    const cancelled = await b.cancel(first.id, 'Owner called');
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'Owner called' });
    expect(cancelled.cancelledAt).not.toBeNull();
    expect(await f.seats(slot)).toEqual({ capacity: 1, taken: 0, available: 1 });
    await expect(b.book({ ...request(slot), clinicId: one })).resolves.toMatchObject({ status: 'confirmed' });
    await expect(a.cancel(first.id)).rejects.toMatchObject({ code: 'booking_not_active', status: 409 });
    await expect(a.reschedule(first.id, other)).rejects.toMatchObject({ code: 'booking_not_active', status: 409 });
    await expect(a.cancel('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'booking_not_found', status: 404 });
  });
});

describe('idempotency', () => {
  it('the same idempotencyKey twice books once and answers the same booking; with another request it is a conflict', async () => {
    const slot = await f.slotId(clinicId, day, '13:00:00');
    const req = request(slot, { idempotencyKey: 'call-123' });
    const first = await a.book(req);
    const again = await b.book({ ...req, client: { ...client, phone: '+15551234567' } }); // the same phone, written otherwise
    expect(again).toEqual(first);
    await expect(a.book({ ...req, reason: 'Limping' })).rejects.toMatchObject({ code: 'idempotency_conflict', status: 409 });
    const rows = await f.query(`select count(*)::int as n from public.bookings where idempotency_key = 'call-123'`);
    expect(rows[0].n).toBe(1);
    expect(await f.seats(slot)).toMatchObject({ taken: 1 });
  });

  it('20 simultaneous identical requests with one key book once, all answered with that booking', async () => {
    const slot = await f.slotId(clinicId, day, '13:30:00');
    const req = request(slot, { idempotencyKey: 'burst-1' });
    const { ok, errors } = await settle(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).book(req)));
    expect(errors).toEqual([]);
    expect(new Set(ok.map((v) => v.id)).size).toBe(1);
    expect(await f.seats(slot)).toMatchObject({ taken: 1 });
  });

  it('one key used at once for two different slots books one of them; the other request is a conflict', async () => {
    const s1 = await f.slotId(clinicId, day, '14:00:00');
    const s2 = await f.slotId(clinicId, day, '14:30:00');
    const { ok, errors } = await settle([a.book(request(s1, { idempotencyKey: 'twice' })), b.book(request(s2, { idempotencyKey: 'twice' }))]);
    expect(ok).toHaveLength(1);
    expect(errors.map((e) => e.code)).toEqual(['idempotency_conflict']);
    const rows = await f.query(`select count(*)::int as n from public.bookings where idempotency_key = 'twice'`);
    expect(rows[0].n).toBe(1);
  });
});

describe('the forward sync keeps bookings counted', () => {
  /** What forward inbound writes for one PIMS appointment in a slot, then its recount (one transaction there). */
  async function syncAppointment(clinic: string, slotDate: string, slotStart: string, pimsId: string, live = true) {
    if (live) {
      await f.schedule.upsertAppointments(clinic, [
        {
          neoAppointmentId: pimsId,
          date: slotDate,
          startTime: slotStart,
          endTime: slotStart,
          startAt: new Date().toISOString(),
          endAt: new Date().toISOString(),
          status: 'scheduled',
          slotStartTime: slotStart,
          metadata: {},
        },
      ]);
    } else {
      await f.query(`update public.schedule_appointments set deleted_at = now(), status = 'cancelled' where clinic_id = $1 and neo_appointment_id = $2`, [clinic, pimsId]);
    }
    await f.schedule.recountSlots(clinic, slotDate, slotDate);
  }
  const writeBack = (id: string, pimsId: string) =>
    f.query(`update public.bookings set pims_appointment_id = $2, write_back_status = 'written' where id = $1`, [id, pimsId]);

  it('a sync between a booking and its write-back leaves taken unchanged, and the booking is then counted once', async () => {
    const slot = await f.slotId(clinicId, day, '15:00:00');
    const booking = await a.book(request(slot));
    expect(await f.seats(slot)).toMatchObject({ taken: 1 });
    await writeBack(booking.id, 'PIMS-1');
    expect(await f.seats(slot)).toMatchObject({ taken: 1 });
    await syncAppointment(clinicId, day, '15:00:00', 'PIMS-1');
    const [row] = await f.query<{ booked_count: number }>(`select booked_count from public.schedule_slots where id = $1`, [slot]);
    expect(row.booked_count).toBe(1); // counted through booked_count now
    expect(await f.seats(slot)).toEqual({ capacity: 2, taken: 1, available: 1 });
    // a recount that does not see the appointment (the sync's recount alone) frees nothing either
    await f.query(`update public.schedule_slots set booked_count = 0 where id = $1`, [slot]);
    await f.query(`update public.schedule_appointments set deleted_at = now() where neo_appointment_id = 'PIMS-1'`);
    expect(await f.seats(slot)).toMatchObject({ taken: 1 });
  });

  it('a sync that sees the PIMS appointment before its id is recorded counts one too many, never one too few', async () => {
    const slot = await f.slotId(clinicId, day, '15:30:00');
    const booking = await a.book(request(slot));
    await syncAppointment(clinicId, day, '15:30:00', 'PIMS-2'); // the PIMS holds it; the write-back has not said so yet
    expect(await f.seats(slot)).toMatchObject({ taken: 2 });
    await writeBack(booking.id, 'PIMS-2');
    expect(await f.seats(slot)).toMatchObject({ taken: 1 });
  });

  it("a cancel frees the seat at once although the PIMS appointment is still synced; the PIMS's cancel then changes nothing", async () => {
    const slot = await f.slotId(clinicId, day, '16:00:00');
    const booking = await a.book(request(slot));
    await writeBack(booking.id, 'PIMS-3');
    await syncAppointment(clinicId, day, '16:00:00', 'PIMS-3');
    await f.query(`insert into public.schedule_appointments (clinic_id, neo_appointment_id, slot_id, date, start_time, end_time, start_at, end_at, status)
                   select clinic_id, 'FRONT-DESK', id, date, start_time, end_time, start_at, end_at, 'scheduled' from public.schedule_slots where id = $1`, [slot]);
    await f.schedule.recountSlots(clinicId, day, day);
    expect(await f.seats(slot)).toEqual({ capacity: 2, taken: 2, available: 0 });
    await b.cancel(booking.id);
    expect(await f.seats(slot)).toEqual({ capacity: 2, taken: 1, available: 1 });
    await syncAppointment(clinicId, day, '16:00:00', 'PIMS-3', false);
    expect(await f.seats(slot)).toEqual({ capacity: 2, taken: 1, available: 1 });
  });
});

describe('reschedule', () => {
  it('moves to a slot with room, or answers 409 slot_unavailable with alternatives and keeps the old slot', async () => {
    const one = await f.addClinic({ timezone: TZ, from: day, to: day, capacity: 1 });
    const [s1, s2, s3] = await Promise.all(['09:00:00', '09:30:00', '10:00:00'].map((t) => f.slotId(one, day, t)));
    const mine = await a.book({ ...request(s1), clinicId: one });
    await a.book({ ...request(s2), clinicId: one });
    const refused = await b.reschedule(mine.id, s2).catch((e) => e);
    expect(refused).toMatchObject({ code: 'slot_unavailable', status: 409 });
    expect(refused.details.alternatives.map((s: { slotId: string }) => s.slotId)).not.toContain(s2);
    expect(refused.details.alternatives[0]).toMatchObject({ startTime: '10:00' }); // 09:00 (mine) is taken too
    expect(await a.get(mine.id)).toMatchObject({ slotId: s1, startTime: '09:00' });
    expect(await f.seats(s1)).toMatchObject({ taken: 1 });
    const moved = await b.reschedule(mine.id, s3);
    expect(moved).toMatchObject({ id: mine.id, slotId: s3, startTime: '10:00', endTime: '10:30', status: 'confirmed', confirmationNumber: mine.confirmationNumber });
    expect(moved.writeBack.status).toBe('pending');
    expect(moved.rescheduledAt).not.toBeNull();
    expect(await f.seats(s1)).toMatchObject({ taken: 0, available: 1 });
    expect(await f.seats(s3)).toMatchObject({ taken: 1, available: 0 });
    await expect(a.reschedule(mine.id, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'slot_not_found', status: 404 });
  });

  it('crossing reschedules between two slots never deadlock, and 10 reschedules into one free seat move exactly one', async () => {
    const two = await f.addClinic({ timezone: TZ, from: day, to: day, capacity: 20 });
    const x = await f.slotId(two, day, '11:00:00');
    const y = await f.slotId(two, day, '11:30:00');
    const inX = await Promise.all(Array.from({ length: 6 }, () => a.book({ ...request(x), clinicId: two })));
    const inY = await Promise.all(Array.from({ length: 6 }, () => a.book({ ...request(y), clinicId: two })));
    const { ok, errors } = await settle([...inX.map((v, i) => (i % 2 ? a : b).reschedule(v.id, y)), ...inY.map((v, i) => (i % 2 ? b : a).reschedule(v.id, x))]);
    expect(errors).toEqual([]);
    expect(ok).toHaveLength(12);
    expect(await f.seats(x)).toMatchObject({ taken: 6 });

    const one = await f.addClinic({ timezone: TZ, from: day, to: day, capacity: 1 });
    const target = await f.slotId(one, day, '16:30:00');
    const sources = await Promise.all(Array.from({ length: 10 }, (_, i) => f.slotId(one, day, `${String(9 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}:00`)));
    const booked: BookingView[] = [];
    for (const s of sources) booked.push(await a.book({ ...request(s), clinicId: one }));
    const race = await settle(booked.map((v, i) => (i % 2 ? a : b).reschedule(v.id, target)));
    expect(race.ok).toHaveLength(1);
    expect(race.errors.map((e) => e.code)).toEqual(Array(9).fill('slot_unavailable'));
    expect(await f.seats(target)).toMatchObject({ taken: 1, available: 0 });
  });
});

describe('reading bookings', () => {
  it('finds a booking by confirmation number and phone as a caller says them, and only when both match', async () => {
    const slot = await f.slotId(clinicId, addDays(day, 1), '09:00:00');
    const booked = await a.book(request(slot, { source: 'voice' }));
    const said = `${booked.confirmationNumber!.slice(0, 3).toLowerCase()}-${booked.confirmationNumber!.slice(3)}`;
    expect(await b.findByConfirmation(clinicId, said, '555.123.4567')).toEqual(booked);
    expect(await b.findByConfirmation(clinicId, booked.confirmationNumber!, '+1 555 123 4567')).toMatchObject({ id: booked.id, source: 'voice' });
    expect(await b.findByConfirmation(clinicId, booked.confirmationNumber!, '555-123-0000')).toBeNull();
    expect(await b.findByConfirmation(clinicId, 'ZZZZZZ', '555-123-4567')).toBeNull();
    expect(await b.findByConfirmation(clinicId, booked.confirmationNumber!, 'not a phone')).toBeNull();
    expect(booked.client).toEqual({ firstName: 'Ana', lastName: 'Lopez', phone: '+15551234567', email: 'ana@example.com' });
  });

  it('lists newest first with a cursor, and filters by clinic, status (a lapsed hold reads expired) and write-back status', async () => {
    const c = await f.addClinic({ timezone: TZ, from: day, to: day, capacity: 5 });
    const slot = await f.slotId(c, day, '09:00:00');
    let now = new Date(`${day}T05:00:00Z`);
    const timed = f.service({ clock: () => now });
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await timed.book({ ...request(slot), clinicId: c })).id);
    const hold = await timed.hold({ clinicId: c, slotId: slot, ttlSeconds: 5 });
    made.push(hold.holdId);
    const page1 = await timed.list({ clinicId: c, limit: 3 });
    expect(page1.items.map((v) => v.id)).toEqual([...made].reverse().slice(0, 3));
    const page2 = await timed.list({ clinicId: c, limit: 3, cursor: page1.nextCursor! });
    expect(page2).toEqual({ items: [expect.objectContaining({ id: made[0] })], nextCursor: null });
    expect((await timed.list({ clinicId: c, status: 'held', limit: 10 })).items.map((v) => v.id)).toEqual([hold.holdId]);
    now = new Date(now.getTime() + 5000);
    expect((await timed.list({ clinicId: c, status: 'held', limit: 10 })).items).toEqual([]);
    expect((await timed.list({ clinicId: c, status: 'expired', limit: 10 })).items.map((v) => v.id)).toEqual([hold.holdId]);
    expect((await timed.list({ clinicId: c, writeBackStatus: 'pending', limit: 10 })).items).toHaveLength(3);
    await expect(timed.list({ cursor: 'nope', limit: 10 })).rejects.toMatchObject({ code: 'invalid_cursor', status: 400 });
  });
});

describe('refusals', () => {
  it('answers the contract codes for unknown ids, a bad phone, a bad range and a started slot', async () => {
    const slot = await f.slotId(clinicId, addDays(day, 2), '09:00:00');
    const nobody = '00000000-0000-4000-8000-000000000000';
    await expect(a.book(request(slot, { client: { ...client, phone: '12' } }))).rejects.toMatchObject({ code: 'invalid_phone', status: 400 });
    await expect(a.book(request(nobody))).rejects.toMatchObject({ code: 'slot_not_found', status: 404 });
    await expect(a.book({ ...request(slot), clinicId: nobody })).rejects.toMatchObject({ code: 'clinic_not_found', status: 404 });
    await expect(a.hold({ clinicId, slotId: slot, ttlSeconds: 4 })).rejects.toMatchObject({ code: 'invalid_input', status: 400 });
    await expect(a.get(nobody)).rejects.toMatchObject({ code: 'booking_not_found', status: 404 });
    await expect(a.get('not-a-uuid')).rejects.toMatchObject({ code: 'booking_not_found' });
    await expect(a.availability(clinicId, { from: day, to: addDays(day, 31) })).rejects.toMatchObject({ code: 'invalid_range', status: 400 });
    await expect(a.availability(clinicId, { from: day, to: addDays(day, -1) })).rejects.toMatchObject({ code: 'invalid_range' });
    await expect(a.availability(clinicId, { from: '2026-02-30' })).rejects.toMatchObject({ code: 'invalid_range' });
    expect((await a.availability(clinicId, { from: day, to: addDays(day, 30) })).slots.length).toBeGreaterThan(0);
    // a slot that has started takes no booking, whatever its seats
    const late = f.service({ clock: () => new Date(`${addDays(day, 2)}T14:01:00Z`) }); // 09:01 or 10:01 in New York
    await expect(late.book(request(slot))).rejects.toMatchObject({ code: 'slot_unavailable' });
  });

  it('a hook that fails rolls the booking back: nothing is booked', async () => {
    const slot = await f.slotId(clinicId, addDays(day, 2), '10:00:00');
    const seen: string[] = [];
    const failing = f.service({
      hooks: {
        async onConfirmed(tx, booking) {
          await tx.query('select 1'); // the booking's own connection
          seen.push(booking.id);
          throw new Error('outbox down');
        },
      },
    });
    await expect(failing.book(request(slot))).rejects.toThrow('outbox down');
    expect(seen).toHaveLength(1);
    expect(await f.query(`select 1 from public.bookings where id = $1`, [seen[0]])).toEqual([]);
    expect(await f.seats(slot)).toMatchObject({ taken: 0 });
  });
});
