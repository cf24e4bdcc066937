// GET /api/clinics/:id/schedule through the app on a real PostgreSQL: every slot of the clinic's
// local days with its seats told apart (the PIMS's appointments, our bookings linked or not, live
// holds), the default window in the clinic's zone, and the refusals.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, ScheduleOutput, type ScheduleSlot } from '@pims/sync-contracts';
import { ScheduleRepository, type SlotRow } from '@pims/sync-data-access';
import { addDays, instantOfLocal, todayIn } from '@pims/util';
import { clinicInput, startApiHarness, type ApiHarness } from '../../testing/harness';

const TZ = 'Pacific/Auckland';
let h: ApiHarness;
let schedule: ScheduleRepository;
let today: string;
let d1: string;

beforeAll(async () => {
  h = await startApiHarness();
  schedule = new ScheduleRepository(h.db.pool);
  today = todayIn(TZ, { now: () => new Date() });
  d1 = addDays(today, 1);
});
afterAll(async () => {
  await h?.close();
});

const hhmm = (x: number) => `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;

/** A clinic with 30-minute slots 09:00-11:00 on the given days, as the forward sync writes them. */
async function newClinic(days: string[], capacity = 2): Promise<string> {
  const res = await h.request('POST', '/api/clinics', clinicInput({ name: `Clinic ${randomUUID().slice(0, 8)}`, timezone: TZ }));
  expect(res.status).toBe(201);
  const id: string = res.body.id;
  const slots: SlotRow[] = [];
  for (const date of days) {
    for (let m = 9 * 60; m < 11 * 60; m += 30) {
      const start = instantOfLocal(date, hhmm(m), TZ)!;
      slots.push({ date, startTime: `${hhmm(m)}:00`, endTime: `${hhmm(m + 30)}:00`, startAt: start.toISOString(), endAt: new Date(start.getTime() + 30 * 60_000).toISOString(), capacity });
    }
  }
  await schedule.replaceSlots(id, days[0], days[days.length - 1], slots);
  return id;
}

async function pimsAppointment(clinicId: string, id: string, date: string, time: string) {
  const start = instantOfLocal(date, time, TZ)!;
  await schedule.upsertAppointments(clinicId, [
    {
      neoAppointmentId: id,
      date,
      startTime: `${time}:00`,
      endTime: `${hhmm(Number(time.slice(0, 2)) * 60 + Number(time.slice(3)) + 30)}:00`,
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + 30 * 60_000).toISOString(),
      status: 'scheduled',
      slotStartTime: `${time}:00`,
      metadata: {},
    },
  ]);
  await schedule.recountSlots(clinicId, date, date);
}

async function slotOf(clinicId: string, date: string, time: string): Promise<string> {
  const { rows } = await h.db.pool.query(`select id from public.schedule_slots where clinic_id = $1 and date = $2 and start_time = $3`, [clinicId, date, time]);
  return rows[0].id;
}

let n = 0;
async function book(clinicId: string, slotId: string): Promise<string> {
  const res = await h.request('POST', '/api/bookings', {
    clinicId,
    slotId,
    client: { firstName: 'Ana', lastName: `Lopez${n++}`, phone: '+64211234567' },
    patient: { name: 'Biscuit' },
    reason: 'Check-up',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function grid(clinicId: string, query = ''): Promise<ScheduleOutput> {
  const res = await h.request('GET', `/api/clinics/${clinicId}/schedule${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ScheduleOutput.parse(res.body);
}

const at = (out: ScheduleOutput, date: string, time: string): ScheduleSlot => out.slots.find((s) => s.date === date && s.startTime === time)!;

describe('GET /api/clinics/:id/schedule', () => {
  it("answers every slot of the clinic's next 14 local days by default, in time order, with the zone and today", async () => {
    const id = await newClinic([addDays(today, -1), today, d1, addDays(today, 13), addDays(today, 14)]);
    const out = await grid(id);
    expect(out).toMatchObject({ clinicId: id, timezone: TZ, today, from: today, to: addDays(today, 13) });
    // Yesterday and day 14 are outside; today's past slots are in.
    expect([...new Set(out.slots.map((s) => s.date))]).toEqual([today, d1, addDays(today, 13)]);
    expect(out.slots).toHaveLength(12);
    const instants = out.slots.map((s) => s.startsAt);
    expect([...instants].sort()).toEqual(instants);
    expect(at(out, d1, '09:00')).toMatchObject({ capacity: 2, bookedCount: 0, pimsAppointments: 0, bookings: 0, unlinkedBookings: 0, holds: 0, taken: 0, available: 2 });
    expect(at(out, d1, '09:00').startsAt).toBe(instantOfLocal(d1, '09:00', TZ)!.toISOString());
  });

  it("tells the PIMS's appointments, our bookings (linked or not) and live holds apart; taken and available as bookings count them", async () => {
    const id = await newClinic([d1], 3);
    // 09:00: one front-desk appointment and one of our bookings not synced back yet.
    await pimsAppointment(id, 'A-1', d1, '09:00');
    await book(id, await slotOf(id, d1, '09:00'));
    // 09:30: our booking, written and synced back (its PIMS appointment is linked to the slot).
    const linked = await book(id, await slotOf(id, d1, '09:30'));
    await pimsAppointment(id, 'A-OURS', d1, '09:30');
    await h.db.pool.query(`update public.bookings set pims_appointment_id = 'A-OURS', write_back_status = 'written' where id = $1`, [linked]);
    // 10:00: a live hold and an expired one; over-booked by the PIMS at 10:30.
    const slot10 = await slotOf(id, d1, '10:00');
    expect((await h.request('POST', '/api/bookings/holds', { clinicId: id, slotId: slot10, ttlSeconds: 600 })).status).toBe(201);
    const expired = await h.request('POST', '/api/bookings/holds', { clinicId: id, slotId: slot10, ttlSeconds: 600 });
    await h.db.pool.query(`update public.bookings set hold_expires_at = now() - interval '1 minute' where id = $1`, [expired.body.holdId]);
    for (const a of ['B-1', 'B-2', 'B-3', 'B-4']) await pimsAppointment(id, a, d1, '10:30');

    const out = await grid(id, `?from=${d1}&to=${d1}`);
    expect(at(out, d1, '09:00')).toMatchObject({ bookedCount: 1, pimsAppointments: 1, bookings: 1, unlinkedBookings: 1, holds: 0, taken: 2, available: 1 });
    expect(at(out, d1, '09:30')).toMatchObject({ bookedCount: 1, pimsAppointments: 0, bookings: 1, unlinkedBookings: 0, holds: 0, taken: 1, available: 2 });
    expect(at(out, d1, '10:00')).toMatchObject({ bookedCount: 0, pimsAppointments: 0, bookings: 0, holds: 1, taken: 1, available: 2 });
    expect(at(out, d1, '10:30')).toMatchObject({ capacity: 3, bookedCount: 4, pimsAppointments: 4, taken: 4, available: 0 });
    // The same seats as the booking API counts them.
    const avail = await h.request('GET', `/api/clinics/${id}/availability?from=${d1}&to=${d1}`);
    for (const s of avail.body.slots) expect(out.slots.find((x) => x.slotId === s.slotId)).toMatchObject({ taken: s.taken, available: s.available });
  });

  it('refuses a range that ends before it starts, is longer than 31 days or is not a date (400); 404 unknown clinic; 401 without the key', async () => {
    const id = await newClinic([d1]);
    const err = async (query: string, status: number, code: string) => {
      const res = await h.request('GET', `/api/clinics/${id}/schedule${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(ErrorBody.parse(res.body).error.code).toBe(code);
    };
    await err(`?from=${d1}&to=${today}`, 400, 'invalid_range');
    await err(`?from=${today}&to=${addDays(today, 31)}`, 400, 'invalid_range');
    await err('?from=2026-02-30', 400, 'validation_error');
    await err('?from=tomorrow', 400, 'validation_error');
    await err('?days=3', 400, 'validation_error');
    expect((await grid(id, `?from=${today}&to=${addDays(today, 30)}`)).to).toBe(addDays(today, 30));
    const unknown = await h.request('GET', `/api/clinics/${randomUUID()}/schedule`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'clinic_not_found']);
    expect((await h.request('GET', `/api/clinics/${id}/schedule`, undefined, {})).status).toBe(401);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await h.request('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toContain('/api/clinics/{id}/schedule');
    expect(Object.keys(doc.body.paths)).toContain('/api/clinics/test-connection');
  });
});
