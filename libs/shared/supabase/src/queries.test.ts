// Unit tests of the queries the helpers build: supabase-js runs with a fetch that keeps each request
// and answers it itself (no Supabase server runs here), so these show the PostgREST request each
// helper sends, not what a Supabase project answers to it.
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '@pims/util-core';
import { createPimsSupabaseClient } from './client';
import { bookingByConfirmationNumber, casesReadyForDischargeCall, freeSlots } from './queries';
import { capturingFetch, jsonResponse } from './testing';

const URL_BASE = 'https://abcdefgh.supabase.co';
const KEY = 'service-role-key-for-tests';
const CLINIC = '6f1c2a4e-8b0d-4c1e-9a55-3f2d7e9b1c00';

function clientWith(answer?: () => Response) {
  const captured = capturingFetch(answer);
  const client = createPimsSupabaseClient(URL_BASE, KEY, { global: { fetch: captured.fetch } });
  return { client, requests: captured.requests };
}

/** The request's query string as PostgREST reads it: each parameter decoded, in order. */
const params = (r: Request) => [...new URL(r.url).searchParams.entries()];

describe('freeSlots', () => {
  it('calls slot_availability with the clinic, the local dates and now, keeping open slots with a seat left that start later, in time order', async () => {
    const { client, requests } = clientWith();
    const now = new Date('2026-12-01T14:30:00.000Z');
    expect(await freeSlots(client, { clinicId: CLINIC, from: '2026-12-01', to: '2026-12-14', now })).toEqual(
      [],
    );

    expect(requests).toHaveLength(1);
    const [r] = requests;
    expect(r.method).toBe('POST');
    expect(new URL(r.url).pathname).toBe('/rest/v1/rpc/slot_availability');
    expect(params(r)).toEqual([
      ['capacity', 'gt.0'],
      ['available', 'gte.1'],
      ['starts_at', 'gt.2026-12-01T14:30:00.000Z'],
      ['order', 'starts_at.asc,slot_id.asc'],
    ]);
    expect(await r.json()).toEqual({
      p_clinic_id: CLINIC,
      p_from: '2026-12-01',
      p_to: '2026-12-14',
      p_now: '2026-12-01T14:30:00.000Z',
    });
    expect(r.headers.get('apikey')).toBe(KEY);
    expect(r.headers.get('authorization')).toBe(`Bearer ${KEY}`);
  });

  it('answers the rows PostgREST sends', async () => {
    const row = {
      slot_id: '0b7d3c1a-2222-4c1e-9a55-3f2d7e9b1c00',
      date: '2026-12-02',
      start_time: '09:00:00',
      end_time: '09:30:00',
      starts_at: '2026-12-02T14:00:00+00:00',
      capacity: 2,
      taken: 1,
      available: 1,
    };
    const { client } = clientWith(() => jsonResponse([row]));
    expect(await freeSlots(client, { clinicId: CLINIC, from: '2026-12-02', to: '2026-12-02' })).toEqual([
      row,
    ]);
  });

  it.each([
    [{ clinicId: 'not-a-uuid', from: '2026-12-01', to: '2026-12-02' }, 'clinicId must be a uuid'],
    [{ clinicId: CLINIC, from: '2026-12-1', to: '2026-12-02' }, 'from must be a local date YYYY-MM-DD'],
    [{ clinicId: CLINIC, from: '2026-12-01', to: '2026-13-01' }, 'to must be a local date YYYY-MM-DD'],
    [
      { clinicId: CLINIC, from: '2026-12-05', to: '2026-12-01' },
      'to (2026-12-01) is before from (2026-12-05)',
    ],
    [{ clinicId: CLINIC, from: '2026-12-01', to: '2027-01-01' }, 'spans 32 days; at most 31'],
    [
      { clinicId: CLINIC, from: '2026-12-01', to: '2026-12-02', now: new Date('nope') },
      'now must be a valid Date',
    ],
  ])('refuses %j before sending anything', async (q, message) => {
    const { client, requests } = clientWith();
    await expect(freeSlots(client, q)).rejects.toMatchObject({
      code: 'validation_error',
      status: 400,
      message: expect.stringContaining(message),
    });
    expect(requests).toHaveLength(0);
  });

  it('turns a PostgREST error (an admin JWT may not execute slot_availability) into supabase_query_failed with its code', async () => {
    const { client } = clientWith(() =>
      jsonResponse(
        {
          code: '42501',
          message: 'permission denied for function slot_availability',
          details: null,
          hint: null,
        },
        403,
      ),
    );
    const err = await freeSlots(client, { clinicId: CLINIC, from: '2026-12-01', to: '2026-12-01' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: 'supabase_query_failed',
      status: 502,
      message: 'freeSlots failed: permission denied for function slot_availability',
      details: { postgrestCode: '42501' },
    });
  });
});

describe('casesReadyForDischargeCall', () => {
  const SELECT =
    'id,clinic_id,external_id,source,status,scheduled_at,updated_at,client:metadata->pimsAppointment->client,patient:metadata->pimsAppointment->patient,discharge_summary:metadata->pimsConsultation->>dischargeSummary';

  it('reads completed, live cases with a client phone changed since the instant, oldest change first', async () => {
    const { client, requests } = clientWith();
    expect(await casesReadyForDischargeCall(client, { since: new Date('2026-12-01T08:00:00Z') })).toEqual([]);

    const [r] = requests;
    expect(r.method).toBe('GET');
    expect(new URL(r.url).pathname).toBe('/rest/v1/cases');
    expect(params(r)).toEqual([
      ['select', SELECT],
      ['status', 'eq.completed'],
      ['deleted_at', 'is.null'],
      ['metadata->pimsAppointment->client->>phone', 'not.is.null'],
      ['updated_at', 'gte.2026-12-01T08:00:00.000Z'],
      ['order', 'updated_at.asc,id.asc'],
      ['limit', '500'],
    ]);
  });

  it('narrows to one clinic and takes a limit', async () => {
    const { client, requests } = clientWith();
    await casesReadyForDischargeCall(client, {
      since: new Date('2026-12-01T08:00:00Z'),
      clinicId: CLINIC,
      limit: 50,
    });
    const p = params(requests[0]);
    expect(p).toContainEqual(['clinic_id', `eq.${CLINIC}`]);
    expect(p).toContainEqual(['limit', '50']);
  });

  it.each([
    [{ since: new Date('x') }, 'since must be a valid Date'],
    [{ since: new Date(), limit: 0 }, 'limit must be a whole number from 1 to 1000'],
    [{ since: new Date(), limit: 1001 }, 'limit must be a whole number from 1 to 1000'],
    [{ since: new Date(), clinicId: 'c1' }, 'clinicId must be a uuid'],
  ])('refuses %j before sending anything', async (q, message) => {
    const { client, requests } = clientWith();
    await expect(casesReadyForDischargeCall(client, q)).rejects.toMatchObject({
      code: 'validation_error',
      message: expect.stringContaining(message),
    });
    expect(requests).toHaveLength(0);
  });
});

describe('bookingByConfirmationNumber', () => {
  const SELECT =
    'id,clinic_id,slot_id,status,confirmation_number,starts_at,date,start_time,end_time,client,patient,reason,source,write_back_status,pims_appointment_id,confirmed_at,rescheduled_at,cancelled_at,cancel_reason,created_at,updated_at';

  it('reads the clinic’s booking by its number, written as a caller reads it out, and answers null when there is none', async () => {
    const { client, requests } = clientWith();
    expect(
      await bookingByConfirmationNumber(client, { clinicId: CLINIC, confirmationNumber: ' abc-234 ' }),
    ).toBeNull();

    const [r] = requests;
    expect(r.method).toBe('GET');
    expect(new URL(r.url).pathname).toBe('/rest/v1/bookings');
    expect(params(r)).toEqual([
      ['select', SELECT],
      ['clinic_id', `eq.${CLINIC}`],
      ['confirmation_number', 'eq.ABC234'],
    ]);
    // Not the id or idempotency key's columns: another app sees no request fingerprint.
    expect(SELECT).not.toContain('idempotency_key');
    expect(SELECT).not.toContain('request_fingerprint');
  });

  it('answers the one row PostgREST sends', async () => {
    const row = { id: 'b1', confirmation_number: 'ABC234', status: 'confirmed' };
    const { client } = clientWith(() => jsonResponse([row]));
    expect(
      await bookingByConfirmationNumber(client, { clinicId: CLINIC, confirmationNumber: 'ABC234' }),
    ).toEqual(row);
  });

  it.each(['ABC23', 'ABC2345', 'ABC0I1', 'ABCD-EF-G'])(
    'refuses the confirmation number %j before sending anything',
    async (n) => {
      const { client, requests } = clientWith();
      await expect(
        bookingByConfirmationNumber(client, { clinicId: CLINIC, confirmationNumber: n }),
      ).rejects.toMatchObject({
        code: 'validation_error',
        message: expect.stringContaining('confirmationNumber must be 6 characters'),
      });
      expect(requests).toHaveLength(0);
    },
  );
});

describe('createPimsSupabaseClient', () => {
  it('builds a client on a runtime without WebSocket (Node 20), whose Realtime says what to pass when it connects', async () => {
    vi.stubGlobal('WebSocket', undefined);
    try {
      const captured = capturingFetch();
      const client = createPimsSupabaseClient(URL_BASE, KEY, { global: { fetch: captured.fetch } });
      expect(await casesReadyForDischargeCall(client, { since: new Date('2026-12-01T00:00:00Z') })).toEqual(
        [],
      );
      expect(() => client.realtime.connect()).toThrow(
        'pass options.realtime.transport (e.g. the ws package) to createPimsSupabaseClient',
      );
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it.each([
    ['not a url', KEY, 'The Supabase URL must be the project URL'],
    [URL_BASE, '  ', 'The Supabase key is empty'],
  ])('refuses url %j, key %j', (url, key, message) => {
    expect(() => createPimsSupabaseClient(url, key)).toThrow(message);
  });
});
