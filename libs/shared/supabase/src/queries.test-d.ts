// Type tests, run by tsc (vitest's typecheck mode, and `nx run @pims/supabase:typecheck`): each
// expectation and each @ts-expect-error fails the run when a type is wrong or looser than it should
// be (an `any` or a plain `string` where a row is expected makes the @ts-expect-error lines unused,
// which tsc reports as an error).
import type { SupabaseClient } from '@supabase/supabase-js';
import { describe, expectTypeOf, it } from 'vitest';
import type { Database, Json } from '@pims/db';
import { createPimsSupabaseClient, type PimsSupabaseClient } from './client';
import {
  bookingByConfirmationNumber,
  bookingByConfirmationNumberQuery,
  casesReadyForDischargeCall,
  casesReadyForDischargeCallQuery,
  freeSlots,
  freeSlotsQuery,
  type BookingByConfirmation,
  type DischargeCallCase,
  type FreeSlot,
} from './queries';

declare const client: PimsSupabaseClient;

/** The row type a query builder resolves to. */
type RowsOf<Q> = Q extends PromiseLike<{ data: infer D }> ? D : never;

describe('createPimsSupabaseClient', () => {
  it('returns a SupabaseClient typed by the generated Database', () => {
    expectTypeOf(createPimsSupabaseClient).returns.toEqualTypeOf<SupabaseClient<Database>>();
    // @ts-expect-error no such table in supabase/migrations
    client.from('patients');
    // @ts-expect-error no such function
    client.rpc('book_slot', {});
    // @ts-expect-error slot_availability's p_clinic_id is a uuid string
    client.rpc('slot_availability', { p_clinic_id: 7, p_from: '2026-12-01', p_to: '2026-12-02', p_now: 'x' });
    // @ts-expect-error and p_now is required
    client.rpc('slot_availability', { p_clinic_id: 'c', p_from: '2026-12-01', p_to: '2026-12-02' });
  });

  it('knows the columns of a table: a filter on a column the table has not is refused', () => {
    // @ts-expect-error cases has no column external_ref
    client.from('cases').select('id').eq('external_ref', 'A-1');
  });
});

describe('freeSlots', () => {
  it('resolves to slot_availability rows, exactly', async () => {
    expectTypeOf(freeSlots).returns.resolves.toEqualTypeOf<FreeSlot[]>();
    expectTypeOf<FreeSlot>().toEqualTypeOf<{
      available: number;
      capacity: number;
      date: string;
      end_time: string;
      slot_id: string;
      start_time: string;
      starts_at: string;
      taken: number;
    }>();
    expectTypeOf<RowsOf<ReturnType<typeof freeSlotsQuery>>>().toEqualTypeOf<FreeSlot[] | null>();
    const [slot] = await freeSlots(client, { clinicId: 'c', from: '2026-12-01', to: '2026-12-02' });
    expectTypeOf(slot.available).toEqualTypeOf<number>();
    // @ts-expect-error a slot has no booked_count (slot_availability answers taken and available)
    void slot.booked_count;
  });

  it('takes the clinic and local dates as strings, now as a Date', () => {
    expectTypeOf(freeSlots)
      .parameter(1)
      .toEqualTypeOf<{ clinicId: string; from: string; to: string; now?: Date }>();
    // @ts-expect-error from is a 'YYYY-MM-DD' string, not a Date
    void freeSlots(client, { clinicId: 'c', from: new Date(), to: '2026-12-02' });
  });
});

describe('casesReadyForDischargeCall', () => {
  it('resolves to the selected case columns and the metadata it reads, exactly', async () => {
    expectTypeOf(casesReadyForDischargeCall).returns.resolves.toEqualTypeOf<DischargeCallCase[]>();
    expectTypeOf<DischargeCallCase>().toEqualTypeOf<{
      id: string;
      clinic_id: string;
      external_id: string;
      source: string;
      status: string;
      scheduled_at: string | null;
      updated_at: string;
      client: Json;
      patient: Json;
      discharge_summary: string | null;
    }>();
    // What supabase-js infers from the select text is a DischargeCallCase (a misspelled column there
    // would make it an error type, and this line and the helper fail to compile).
    expectTypeOf<
      NonNullable<RowsOf<ReturnType<typeof casesReadyForDischargeCallQuery>>>[number]
    >().toExtend<DischargeCallCase>();
    const [c] = await casesReadyForDischargeCall(client, { since: new Date() });
    // @ts-expect-error the metadata column itself is not selected, only what the call needs of it
    void c.metadata;
    // @ts-expect-error deleted_at is not selected (every row is live)
    void c.deleted_at;
  });

  it('takes since as a Date, never a string', () => {
    // @ts-expect-error since is a Date
    void casesReadyForDischargeCall(client, { since: '2026-12-01T00:00:00Z' });
  });
});

describe('bookingByConfirmationNumber', () => {
  it('resolves to one booking or null, exactly those columns', async () => {
    expectTypeOf(bookingByConfirmationNumber).returns.resolves.toEqualTypeOf<BookingByConfirmation | null>();
    expectTypeOf<
      RowsOf<ReturnType<typeof bookingByConfirmationNumberQuery>>
    >().toExtend<BookingByConfirmation | null>();
    expectTypeOf<BookingByConfirmation['starts_at']>().toEqualTypeOf<string>();
    expectTypeOf<BookingByConfirmation['write_back_status']>().toEqualTypeOf<string | null>();
    expectTypeOf<BookingByConfirmation['client']>().toEqualTypeOf<Json | null>();
    const b = await bookingByConfirmationNumber(client, { clinicId: 'c', confirmationNumber: 'ABC234' });
    // @ts-expect-error the answer may be null
    void b.id;
    if (b) {
      expectTypeOf(b.confirmation_number).toEqualTypeOf<string | null>();
      // @ts-expect-error another app does not get the idempotency key
      void b.idempotency_key;
      // @ts-expect-error nor the request fingerprint
      void b.request_fingerprint;
    }
  });
});
