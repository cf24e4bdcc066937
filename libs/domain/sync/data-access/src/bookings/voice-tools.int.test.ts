// The voice tools' answered tool calls on a real PostgreSQL: the first stored answer wins, and a
// delivery that raced another and lost undoes what the stored answer denies. The window between a
// delivery's look-up and its store is opened on purpose by a repository that looks up nothing (the
// racing delivery's answer is not committed yet when it looks); everything else is the real SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, systemClock, todayIn } from '@pims/util';
import { VapiToolCallsRepository, type StoredToolAnswer } from '../repositories/vapi-tool-calls.repository';
import { createBookingFixture, type BookingFixture } from './booking.fixture';
import type { BookingService } from './booking.service';
import { idempotencyKeyFor, VoiceTools, type VoiceCallContext } from './voice-tools';

const TZ = 'America/New_York';
let f: BookingFixture;
let bookings: BookingService;
let repo: VapiToolCallsRepository;
let day: string;

/** A delivery that raced another one: its look-up ran before the other's answer was committed. */
class LookedTooEarly extends VapiToolCallsRepository {
  override async find(): Promise<StoredToolAnswer | null> {
    return null;
  }
}

beforeAll(async () => {
  f = await createBookingFixture();
  bookings = f.service();
  repo = new VapiToolCallsRepository(f.db.pool);
  day = addDays(todayIn(TZ, systemClock), 1);
});
afterAll(async () => {
  await f?.close();
});

async function clinic(capacity = 1) {
  const id = await f.addClinic({ timezone: TZ, from: day, to: addDays(day, 1), capacity, openTime: '09:00', closeTime: '11:00' });
  const assistantId = `asst_${id}`;
  await f.query(`update public.clinics set voice_assistant_id = $2 where id = $1`, [id, assistantId]);
  return { id, ctx: { assistantId, callerNumber: null } satisfies VoiceCallContext };
}

const bookArgs = (time: string, phone = '(212) 555-0142') => ({ date: day, time, firstName: 'Ana', lastName: 'Lopez', phone, petName: 'Biscuit', reason: 'Vaccines' });

describe('VapiToolCallsRepository', () => {
  it('keeps the first answer of a tool call: a second store returns it, racing stores agree on one', async () => {
    const { id } = await clinic();
    expect(await repo.save(id, 'call_1', { name: 'get_clinic_hours', result: '{"a":1}' })).toEqual({ stored: { name: 'get_clinic_hours', result: '{"a":1}' }, first: true });
    expect(await repo.save(id, 'call_1', { name: 'get_clinic_hours', result: '{"a":2}' })).toEqual({ stored: { name: 'get_clinic_hours', result: '{"a":1}' }, first: false });
    expect(await repo.find(id, 'call_1')).toEqual({ name: 'get_clinic_hours', result: '{"a":1}' });
    expect(await repo.find(id, 'call_2')).toBeNull();
    // Twenty stores at once through two pools: one wins, all return it.
    const other = new VapiToolCallsRepository(f.other);
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? repo : other).save(id, 'call_race', { name: 'book_appointment', result: `{"n":${i}}` })));
    expect(all.filter((r) => r.first)).toHaveLength(1);
    expect(new Set(all.map((r) => r.stored.result)).size).toBe(1);
    // An error is an answer too; an answer is one or the other.
    expect((await repo.save(id, 'call_err', { name: 'book_appointment', error: 'I need the date.' })).stored).toEqual({ name: 'book_appointment', error: 'I need the date.' });
    await expect(f.query(`insert into public.vapi_tool_calls (clinic_id, tool_call_id, name, result, error) values ($1, 'x', 'n', 'r', 'e')`, [id])).rejects.toThrow(/one_answer/);
  });
});

describe('a delivery that lost the race', () => {
  it('booked a seat while the stored answer says not booked: it cancels the booking, and answers the stored answer', async () => {
    const { id, ctx } = await clinic();
    const denied = JSON.stringify({ booked: false, reason: 'slot_unavailable', alternatives: [] });
    await repo.save(id, 'call_lost', { name: 'book_appointment', result: denied });
    const late = new VoiceTools({ bookings, repository: new LookedTooEarly(f.db.pool) });
    const [answer] = await late.answer(ctx, [{ id: 'call_lost', name: 'book_appointment', arguments: bookArgs('09:00') }]);
    expect(answer).toEqual({ name: 'book_appointment', toolCallId: 'call_lost', result: denied });
    const rows = await f.query<{ status: string }>(`select status from public.bookings where clinic_id = $1 and idempotency_key = $2`, [id, idempotencyKeyFor('call_lost')]);
    expect(rows).toEqual([{ status: 'cancelled' }]);
    // The seat is free again, and the same call again still answers the stored answer.
    expect(await f.seats(await f.slotId(id, day, '09:00:00'))).toMatchObject({ available: 1 });
    const tools = new VoiceTools({ bookings, repository: repo });
    expect(await tools.answer(ctx, [{ id: 'call_lost', name: 'book_appointment', arguments: bookArgs('09:00') }])).toEqual([answer]);
  });

  it('booked when the stored answer says booked too: nothing is undone', async () => {
    const { id, ctx } = await clinic();
    const tools = new VoiceTools({ bookings, repository: repo });
    const [first] = await tools.answer(ctx, [{ id: 'call_same', name: 'book_appointment', arguments: bookArgs('09:30') }]);
    const late = new VoiceTools({ bookings, repository: new LookedTooEarly(f.db.pool) });
    expect(await late.answer(ctx, [{ id: 'call_same', name: 'book_appointment', arguments: bookArgs('09:30') }])).toEqual([first]);
    const rows = await f.query<{ status: string }>(`select status from public.bookings where clinic_id = $1`, [id]);
    expect(rows).toEqual([{ status: 'confirmed' }]);
  });

  it('moved a booking while the stored answer says not moved: it moves the booking back', async () => {
    const { id, ctx } = await clinic();
    const tools = new VoiceTools({ bookings, repository: repo });
    const [booked] = await tools.answer(ctx, [{ id: 'call_book', name: 'book_appointment', arguments: bookArgs('10:00') }]);
    const { confirmationNumber } = JSON.parse('result' in booked ? booked.result : '{}') as { confirmationNumber: string };
    const denied = JSON.stringify({ rescheduled: false, reason: 'slot_unavailable', alternatives: [] });
    await repo.save(id, 'call_move', { name: 'reschedule_appointment', result: denied });
    const late = new VoiceTools({ bookings, repository: new LookedTooEarly(f.db.pool) });
    const [answer] = await late.answer(ctx, [{ id: 'call_move', name: 'reschedule_appointment', arguments: { confirmationNumber, phone: '2125550142', date: day, time: '10:30' } }]);
    expect(answer).toEqual({ name: 'reschedule_appointment', toolCallId: 'call_move', result: denied });
    const rows = await f.query<{ start_time: string; status: string }>(`select start_time::text, status from public.bookings where clinic_id = $1`, [id]);
    expect(rows).toEqual([{ start_time: '10:00:00', status: 'confirmed' }]);
  });
});
