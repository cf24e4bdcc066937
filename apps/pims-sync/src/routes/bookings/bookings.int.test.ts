// The booking API (CONTRACT section 7) through the app on a real PostgreSQL: every route's answers
// and errors, and the seat rules under concurrency through two app instances on two pools (two
// processes on one database), where the database alone decides who gets the last seat.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvailabilityOutput, BookingView, ErrorBody, HoldOutput, ListBookingsOutput } from '@pims/sync-contracts';
import { ScheduleRepository, type SlotRow } from '@pims/sync-data-access';
import { addDays, instantOfLocal, todayIn } from '@pims/util';
import { clinicInput, startApiHarness, type ApiHarness } from '../../testing/harness';

const TZ = 'America/New_York';
let h: ApiHarness;
/** A second app on the same database with its own pool and pg-boss: another process. */
let h2: ApiHarness;
let schedule: ScheduleRepository;
/** Local calendar days of the clinic that are wholly in the future. */
let d1: string;
let d2: string;

beforeAll(async () => {
  h = await startApiHarness({ poolMax: 10 });
  h2 = await startApiHarness({ poolMax: 10, database: h.db, credentialsKey: h.credentialsKey });
  schedule = new ScheduleRepository(h.db.pool);
  const today = todayIn(TZ, { now: () => new Date() });
  d1 = addDays(today, 1);
  d2 = addDays(today, 2);
});
afterAll(async () => {
  await h2?.close();
  await h?.close();
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await h.db.pool.query(sql, params)).rows as T[];

/**
 * A clinic with 30-minute slots 09:00-12:00 on d1 and d2, written as the forward sync writes them
 * (the local grid with its UTC instants, through ScheduleRepository.replaceSlots).
 */
async function newClinic(capacity = 2): Promise<string> {
  const res = await h.request('POST', '/api/clinics', clinicInput({ name: `Clinic ${randomUUID().slice(0, 8)}`, timezone: TZ }));
  expect(res.status).toBe(201);
  const id: string = res.body.id;
  const slots: SlotRow[] = [];
  for (const date of [d1, d2]) {
    for (let m = 9 * 60; m < 12 * 60; m += 30) {
      const hhmm = (x: number) => `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
      const start = instantOfLocal(date, hhmm(m), TZ)!;
      slots.push({
        date,
        startTime: `${hhmm(m)}:00`,
        endTime: `${hhmm(m + 30)}:00`,
        startAt: start.toISOString(),
        endAt: new Date(start.getTime() + 30 * 60_000).toISOString(),
        capacity,
      });
    }
  }
  await schedule.replaceSlots(id, d1, d2, slots);
  return id;
}

async function slotId(clinicId: string, date: string, time: string): Promise<string> {
  const rows = await q<{ id: string }>(`select id from public.schedule_slots where clinic_id = $1 and date = $2 and start_time = $3`, [clinicId, date, time]);
  return rows[0].id;
}

async function availability(clinicId: string, query = '') {
  const res = await h.request('GET', `/api/clinics/${clinicId}/availability${query}`);
  expect(res.status).toBe(200);
  return AvailabilityOutput.parse(res.body);
}

async function seatsOf(clinicId: string, slot: string) {
  const found = (await availability(clinicId, `?from=${d1}&to=${d2}`)).slots.find((s) => s.slotId === slot);
  return found ? { capacity: found.capacity, taken: found.taken, available: found.available } : null;
}

let n = 0;
const bookingBody = (clinicId: string, target: { slotId?: string; holdId?: string }, extra: Record<string, unknown> = {}) => ({
  clinicId,
  ...target,
  client: { firstName: 'Ana', lastName: `Lopez ${++n}`, phone: '(212) 555-0142', email: 'ana@example.com' },
  patient: { name: 'Biscuit', species: 'Canine' },
  reason: 'Vaccination',
  ...extra,
});

function expectError(res: { status: number; body: unknown }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const body = ErrorBody.parse(res.body);
  expect(body.error.code).toBe(code);
  return body.error;
}

describe('GET /api/clinics/:id/availability', () => {
  it("answers the clinic's open slots in time order, by default from today, with their seats", async () => {
    const clinicId = await newClinic();
    const body = await availability(clinicId);
    expect(body.clinicId).toBe(clinicId);
    expect(body.timezone).toBe(TZ);
    expect(body.slots).toHaveLength(12);
    expect(body.slots[0]).toMatchObject({ date: d1, startTime: '09:00', endTime: '09:30', capacity: 2, taken: 0, available: 2 });
    expect(body.slots[0].startsAt).toBe(instantOfLocal(d1, '09:00', TZ)!.toISOString());
    const starts = body.slots.map((s) => s.startsAt);
    expect([...starts].sort()).toEqual(starts);
    // One local day only.
    const one = await availability(clinicId, `?from=${d2}&to=${d2}`);
    expect(one.slots.map((s) => s.date)).toEqual(Array(6).fill(d2));
  });

  it('refuses a bad range (400), an unknown clinic (404), a malformed id or unknown query field (400)', async () => {
    const clinicId = await newClinic();
    expectError(await h.request('GET', `/api/clinics/${clinicId}/availability?from=${d1}&to=${addDays(d1, 31)}`), 400, 'invalid_range');
    expectError(await h.request('GET', `/api/clinics/${clinicId}/availability?from=${d2}&to=${d1}`), 400, 'invalid_range');
    expectError(await h.request('GET', `/api/clinics/${clinicId}/availability?from=2026-02-30`), 400, 'validation_error');
    expectError(await h.request('GET', `/api/clinics/${clinicId}/availability?day=${d1}`), 400, 'validation_error');
    expectError(await h.request('GET', `/api/clinics/not-a-uuid/availability`), 400, 'validation_error');
    expectError(await h.request('GET', `/api/clinics/${randomUUID()}/availability`), 404, 'clinic_not_found');
  });
});

describe('POST /api/bookings', () => {
  it('books a seat: 201 with a confirmation number and a pending write-back; the slot counts it', async () => {
    const clinicId = await newClinic();
    const slot = await slotId(clinicId, d1, '10:00:00');
    const res = await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: slot }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const b = BookingView.parse(res.body);
    expect(b).toMatchObject({ bookingId: b.id, status: 'confirmed', slotId: slot, date: d1, startTime: '10:00', source: 'api', writeBack: { status: 'pending' } });
    expect(b.confirmationNumber).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{6}$/);
    expect(b.startsAt).toBe(instantOfLocal(d1, '10:00', TZ)!.toISOString());
    // Stored and shown in E.164.
    expect(b.client?.phone).toBe('+12125550142');
    expect(await seatsOf(clinicId, slot)).toEqual({ capacity: 2, taken: 1, available: 1 });
  });

  it('the same idempotencyKey twice (also at once, through both apps) books once and answers the same booking', async () => {
    const clinicId = await newClinic();
    const slot = await slotId(clinicId, d1, '10:30:00');
    const body = bookingBody(clinicId, { slotId: slot }, { idempotencyKey: 'call-42' });
    const first = await h.request('POST', '/api/bookings', body);
    const again = await h2.request('POST', '/api/bookings', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.confirmationNumber).toBe(first.body.confirmationNumber);

    const raced = bookingBody(clinicId, { slotId: slot }, { idempotencyKey: 'call-43' });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? h : h2).request('POST', '/api/bookings', raced)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const rows = await q(`select idempotency_key, count(*)::int as n from public.bookings where clinic_id = $1 group by 1 order by 1`, [clinicId]);
    expect(rows).toEqual([
      { idempotency_key: 'call-42', n: 1 },
      { idempotency_key: 'call-43', n: 1 },
    ]);
    expect(await seatsOf(clinicId, slot)).toEqual({ capacity: 2, taken: 2, available: 0 });
    // The same key for another request is a conflict, not a second booking.
    expectError(await h.request('POST', '/api/bookings', { ...body, reason: 'Something else' }), 409, 'idempotency_conflict');
  });

  it('50 simultaneous requests through two apps for the last seat: one 201, 49 slot_unavailable with alternatives', async () => {
    const clinicId = await newClinic(2);
    const slot = await slotId(clinicId, d1, '11:00:00');
    expect((await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: slot }))).status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? h : h2).request('POST', '/api/bookings', bookingBody(clinicId, { slotId: slot }))),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused).toHaveLength(49);
    for (const r of refused) {
      const err = expectError(r, 409, 'slot_unavailable');
      expect(err.alternatives?.length).toBeGreaterThan(0);
      expect(err.alternatives!.length).toBeLessThanOrEqual(5);
      for (const alt of err.alternatives!) {
        expect(alt.slotId).not.toBe(slot);
        expect(alt.available).toBeGreaterThanOrEqual(1);
      }
    }
    // Nearest first: the neighbours of 11:00 on the same morning.
    expect(refused[0].body.error.alternatives.slice(0, 2).map((a: { startTime: string }) => a.startTime).sort()).toEqual(['10:30', '11:30']);
    expect(await seatsOf(clinicId, slot)).toEqual({ capacity: 2, taken: 2, available: 0 });
    const rows = await q(`select count(*)::int as n from public.bookings where slot_id = $1 and status = 'confirmed'`, [slot]);
    expect(rows[0].n).toBe(2);
  });

  it('refuses bad input (400), an unknown slot, hold or clinic (404), and answers 401 without the key', async () => {
    const clinicId = await newClinic();
    const slot = await slotId(clinicId, d1, '09:00:00');
    expectError(await h.request('POST', '/api/bookings', { ...bookingBody(clinicId, { slotId: slot }), extra: 1 }), 400, 'validation_error');
    expectError(await h.request('POST', '/api/bookings', bookingBody(clinicId, {})), 400, 'validation_error');
    const { client: _c, ...noClient } = bookingBody(clinicId, { slotId: slot });
    const missing = expectError(await h.request('POST', '/api/bookings', noClient), 400, 'validation_error');
    expect(missing.issues?.length).toBeGreaterThan(0);
    expectError(await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: slot }, { client: { firstName: 'A', lastName: 'B', phone: 'not a phone' } })), 400, 'invalid_phone');
    expectError(await h.request('POST', '/api/bookings', '{"clinicId":'), 400, 'invalid_json');
    expectError(await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: randomUUID() })), 404, 'slot_not_found');
    expectError(await h.request('POST', '/api/bookings', bookingBody(clinicId, { holdId: randomUUID() })), 404, 'hold_not_found');
    expectError(await h.request('POST', '/api/bookings', bookingBody(randomUUID(), { slotId: slot })), 404, 'clinic_not_found');
    // Another clinic's slot is not this clinic's.
    const other = await newClinic();
    expectError(await h.request('POST', '/api/bookings', bookingBody(other, { slotId: slot })), 404, 'slot_not_found');
    expectError(await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: slot }), {}), 401, 'unauthorized');
    expect(await seatsOf(clinicId, slot)).toEqual({ capacity: 2, taken: 0, available: 2 });
  });
});

describe('POST /api/bookings/holds', () => {
  it('holds a seat; a booking from the hold keeps that seat and the hold id', async () => {
    const clinicId = await newClinic(1);
    const slot = await slotId(clinicId, d2, '09:00:00');
    const res = await h.request('POST', '/api/bookings/holds', { clinicId, slotId: slot });
    expect(res.status).toBe(201);
    const hold = HoldOutput.parse(res.body);
    expect(hold.slotId).toBe(slot);
    // The default TTL is 300 s (against the database's clock, which decided the expiry).
    const [{ ttl }] = await q<{ ttl: number }>(`select extract(epoch from hold_expires_at - created_at)::int as ttl from public.bookings where id = $1`, [hold.holdId]);
    expect(ttl).toBeGreaterThanOrEqual(299);
    expect(ttl).toBeLessThanOrEqual(300);
    expect(await seatsOf(clinicId, slot)).toEqual({ capacity: 1, taken: 1, available: 0 });
    expectError(await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: slot })), 409, 'slot_unavailable');
    const booked = await h.request('POST', '/api/bookings', bookingBody(clinicId, { holdId: hold.holdId }));
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expect(booked.body).toMatchObject({ id: hold.holdId, status: 'confirmed', slotId: slot });
    expect(await seatsOf(clinicId, slot)).toEqual({ capacity: 1, taken: 1, available: 0 });
  });

  it('50 simultaneous holds through two apps for the last seat: one 201, 49 slot_unavailable with alternatives', async () => {
    const clinicId = await newClinic(2);
    const slot = await slotId(clinicId, d2, '10:00:00');
    expect((await h2.request('POST', '/api/bookings/holds', { clinicId, slotId: slot })).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? h : h2).request('POST', '/api/bookings/holds', { clinicId, slotId: slot })));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused).toHaveLength(49);
    for (const r of refused) expect(expectError(r, 409, 'slot_unavailable').alternatives?.length).toBeGreaterThan(0);
    expect(await seatsOf(clinicId, slot)).toEqual({ capacity: 2, taken: 2, available: 0 });
  });

  it('a hold of ttlSeconds 5 stops counting once it expires; booking from it is then hold_expired', async () => {
    const clinicId = await newClinic(1);
    const slot = await slotId(clinicId, d2, '11:00:00');
    const res = await h.request('POST', '/api/bookings/holds', { clinicId, slotId: slot, ttlSeconds: 5 });
    expect(res.status).toBe(201);
    const hold = HoldOutput.parse(res.body);
    const [{ live }] = await q<{ live: boolean }>(`select clock_timestamp() < $1::timestamptz as live`, [hold.expiresAt]);
    if (live) expect((await seatsOf(clinicId, slot))?.available).toBe(0);
    // Wait for the database's clock (the one that counts) to pass the expiry.
    for (;;) {
      const [{ past }] = await q<{ past: boolean }>(`select clock_timestamp() >= $1::timestamptz as past`, [hold.expiresAt]);
      if (past) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await seatsOf(clinicId, slot)).toEqual({ capacity: 1, taken: 0, available: 1 });
    expect((await h.request('GET', `/api/bookings/${hold.holdId}`)).body.status).toBe('expired');
    expectError(await h.request('POST', '/api/bookings', bookingBody(clinicId, { holdId: hold.holdId })), 409, 'hold_expired');
    expect((await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: slot }))).status).toBe(201);
  });

  it('refuses a ttlSeconds out of 5..900, unknown fields (400), an unknown slot or clinic (404)', async () => {
    const clinicId = await newClinic();
    const slot = await slotId(clinicId, d1, '09:00:00');
    expectError(await h.request('POST', '/api/bookings/holds', { clinicId, slotId: slot, ttlSeconds: 4 }), 400, 'validation_error');
    expectError(await h.request('POST', '/api/bookings/holds', { clinicId, slotId: slot, ttlSeconds: 901 }), 400, 'validation_error');
    expectError(await h.request('POST', '/api/bookings/holds', { clinicId, slotId: slot, seats: 2 }), 400, 'validation_error');
    expectError(await h.request('POST', '/api/bookings/holds', { clinicId, slotId: randomUUID() }), 404, 'slot_not_found');
    expectError(await h.request('POST', '/api/bookings/holds', { clinicId: randomUUID(), slotId: slot }), 404, 'clinic_not_found');
    expectError(await h.request('POST', '/api/bookings/holds', { clinicId, slotId: slot }, {}), 401, 'unauthorized');
  });
});

describe('GET /api/bookings and /api/bookings/:id', () => {
  it('answers one booking with its write-back, and pages of bookings newest first with filters', async () => {
    const clinicId = await newClinic();
    const ids: string[] = [];
    for (const time of ['09:00:00', '09:30:00', '10:00:00']) {
      ids.push((await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: await slotId(clinicId, d1, time) }))).body.id);
    }
    const one = await h.request('GET', `/api/bookings/${ids[0]}`);
    expect(one.status).toBe(200);
    expect(BookingView.parse(one.body).writeBack).toEqual({ status: 'pending', pimsAppointmentId: null, error: null, attempts: 0 });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.request('GET', `/api/bookings?clinicId=${clinicId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = ListBookingsOutput.parse(res.body);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((b) => b.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    await h.request('POST', `/api/bookings/${ids[1]}/cancel`);
    const cancelled = ListBookingsOutput.parse((await h.request('GET', `/api/bookings?clinicId=${clinicId}&status=cancelled`)).body);
    expect(cancelled.items.map((b) => b.id)).toEqual([ids[1]]);
    const pending = ListBookingsOutput.parse((await h.request('GET', `/api/bookings?clinicId=${clinicId}&writeBackStatus=pending&status=confirmed`)).body);
    expect(pending.items.map((b) => b.id).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('400 for a malformed id or query, 404 for an unknown id, 401 without the key', async () => {
    expectError(await h.request('GET', '/api/bookings/not-a-uuid'), 400, 'validation_error');
    expectError(await h.request('GET', `/api/bookings/${randomUUID()}`), 404, 'booking_not_found');
    expectError(await h.request('GET', '/api/bookings?limit=0'), 400, 'validation_error');
    expectError(await h.request('GET', '/api/bookings?status=lost'), 400, 'validation_error');
    expectError(await h.request('GET', '/api/bookings?page=2'), 400, 'validation_error');
    expectError(await h.request('GET', '/api/bookings', undefined, {}), 401, 'unauthorized');
    expectError(await h.request('GET', `/api/bookings/${randomUUID()}`, undefined, {}), 401, 'unauthorized');
  });
});

describe('POST /api/bookings/:id/cancel', () => {
  it('frees the seat at once; a second cancel is 409 booking_not_active', async () => {
    const clinicId = await newClinic(1);
    const slot = await slotId(clinicId, d1, '11:30:00');
    const booked = await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: slot }));
    expect(await seatsOf(clinicId, slot)).toEqual({ capacity: 1, taken: 1, available: 0 });
    const res = await h2.request('POST', `/api/bookings/${booked.body.id}/cancel`, { reason: 'Owner called' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: booked.body.id, status: 'cancelled', cancelReason: 'Owner called' });
    expect(await seatsOf(clinicId, slot)).toEqual({ capacity: 1, taken: 0, available: 1 });
    expect((await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: slot }))).status).toBe(201);
    expectError(await h.request('POST', `/api/bookings/${booked.body.id}/cancel`), 409, 'booking_not_active');
  });

  it('400 for unknown fields or a malformed id, 404 for an unknown booking, 401 without the key', async () => {
    const clinicId = await newClinic();
    const booked = await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: await slotId(clinicId, d1, '09:00:00') }));
    expectError(await h.request('POST', `/api/bookings/${booked.body.id}/cancel`, { reason: 'x', refund: true }), 400, 'validation_error');
    expectError(await h.request('POST', '/api/bookings/nope/cancel'), 400, 'validation_error');
    expectError(await h.request('POST', `/api/bookings/${randomUUID()}/cancel`), 404, 'booking_not_found');
    expectError(await h.request('POST', `/api/bookings/${booked.body.id}/cancel`, undefined, {}), 401, 'unauthorized');
    expect((await h.request('GET', `/api/bookings/${booked.body.id}`)).body.status).toBe('confirmed');
  });
});

describe('POST /api/bookings/:id/reschedule', () => {
  it('moves the booking to a slot with room (its old seat freed); to a full slot 409 with alternatives, the old slot kept', async () => {
    const clinicId = await newClinic(1);
    const from = await slotId(clinicId, d1, '09:00:00');
    const to = await slotId(clinicId, d1, '09:30:00');
    const full = await slotId(clinicId, d1, '10:00:00');
    const booked = await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: from }));
    await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: full }));

    const moved = await h.request('POST', `/api/bookings/${booked.body.id}/reschedule`, { slotId: to });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ id: booked.body.id, slotId: to, startTime: '09:30', status: 'confirmed', writeBack: { status: 'pending' } });
    expect(moved.body.rescheduledAt).not.toBeNull();
    expect(await seatsOf(clinicId, from)).toMatchObject({ taken: 0, available: 1 });
    expect(await seatsOf(clinicId, to)).toMatchObject({ taken: 1, available: 0 });

    const refused = expectError(await h.request('POST', `/api/bookings/${booked.body.id}/reschedule`, { slotId: full }), 409, 'slot_unavailable');
    expect(refused.alternatives?.length).toBeGreaterThan(0);
    expect((await h.request('GET', `/api/bookings/${booked.body.id}`)).body.slotId).toBe(to);
  });

  it('400 without a slotId or with a malformed one, 404 for an unknown booking or slot, 409 for a cancelled booking, 401', async () => {
    const clinicId = await newClinic();
    const slot = await slotId(clinicId, d1, '09:00:00');
    const booked = await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: slot }));
    expectError(await h.request('POST', `/api/bookings/${booked.body.id}/reschedule`, {}), 400, 'validation_error');
    expectError(await h.request('POST', `/api/bookings/${booked.body.id}/reschedule`, { slotId: 'x' }), 400, 'validation_error');
    expectError(await h.request('POST', `/api/bookings/${randomUUID()}/reschedule`, { slotId: slot }), 404, 'booking_not_found');
    expectError(await h.request('POST', `/api/bookings/${booked.body.id}/reschedule`, { slotId: randomUUID() }), 404, 'slot_not_found');
    expectError(await h.request('POST', `/api/bookings/${booked.body.id}/reschedule`, { slotId: slot }, {}), 401, 'unauthorized');
    await h.request('POST', `/api/bookings/${booked.body.id}/cancel`);
    expectError(await h.request('POST', `/api/bookings/${booked.body.id}/reschedule`, { slotId: await slotId(clinicId, d1, '09:30:00') }), 409, 'booking_not_active');
  });
});

describe('POST /api/bookings/:id/write-back', () => {
  it("409 write_back_not_failed unless the write-back failed; a failed one goes back to pending once (202), even when two retry at once", async () => {
    const clinicId = await newClinic();
    const booked = await h.request('POST', '/api/bookings', bookingBody(clinicId, { slotId: await slotId(clinicId, d1, '09:00:00') }));
    const id = booked.body.id;
    expectError(await h.request('POST', `/api/bookings/${id}/write-back`), 409, 'write_back_not_failed');

    await q(`update public.bookings set write_back_status = 'failed', write_back_error = 'pims_unavailable: timed out', write_back_attempts = 5 where id = $1`, [id]);
    const answers = await Promise.all([h.request('POST', `/api/bookings/${id}/write-back`), h2.request('POST', `/api/bookings/${id}/write-back`)]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    expect(answers.find((a) => a.status === 202)!.body).toEqual({ bookingId: id, writeBack: { status: 'pending' } });
    expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('write_back_not_failed');
    const after = await h.request('GET', `/api/bookings/${id}`);
    expect(after.body.writeBack).toEqual({ status: 'pending', pimsAppointmentId: null, error: null, attempts: 0 });
  });

  it('400 for a malformed id, 404 for an unknown booking, 401 without the key', async () => {
    expectError(await h.request('POST', '/api/bookings/nope/write-back'), 400, 'validation_error');
    expectError(await h.request('POST', `/api/bookings/${randomUUID()}/write-back`), 404, 'booking_not_found');
    expectError(await h.request('POST', `/api/bookings/${randomUUID()}/write-back`, undefined, {}), 401, 'unauthorized');
  });
});

describe('OpenAPI', () => {
  it('documents every booking route with the error body carrying alternatives', async () => {
    const doc = (await h.request('GET', '/openapi.json', undefined, {})).body;
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, o]) => Object.keys(o).map((m) => `${m.toUpperCase()} ${p}`));
    expect(ops).toEqual(
      expect.arrayContaining([
        'GET /api/clinics/{id}/availability',
        'POST /api/bookings/holds',
        'POST /api/bookings',
        'GET /api/bookings',
        'GET /api/bookings/{id}',
        'POST /api/bookings/{id}/cancel',
        'POST /api/bookings/{id}/reschedule',
        'POST /api/bookings/{id}/write-back',
      ]),
    );
    const hold = doc.paths['/api/bookings/holds'].post;
    expect(hold.responses['409'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    expect(doc.components.schemas.ErrorBody.properties.error.properties.alternatives.type).toBe('array');
    expect(doc.components.schemas.CreateBookingInput.additionalProperties).toBe(false);
  });
});
