import { describe, expect, it } from 'vitest';
import { idempotencyKeyFor, readArguments, spokenTime } from './voice-tools';

describe('spokenTime', () => {
  it('reads the ways people and models write a time as HH:MM', () => {
    const cases: [string, string][] = [
      ['09:30', '09:30'],
      ['9:30', '09:30'],
      ['10', '10:00'],
      ['2pm', '14:00'],
      ['2:15 PM', '14:15'],
      ['10:00 AM', '10:00'],
      ['12am', '00:00'],
      ['12 p.m.', '12:00'],
      ['9.45', '09:45'],
    ];
    for (const [input, out] of cases) expect(spokenTime(input), input).toBe(out);
  });

  it('leaves anything else as given (the schema then refuses it)', () => {
    for (const s of ['13pm', '25:00', 'noon', '10:5', '0pm', '']) expect(spokenTime(s)).toBe(s);
  });
});

describe('readArguments', () => {
  it('takes an object, JSON text or nothing, and drops empty values', () => {
    expect(readArguments('check_availability', { date: '2026-12-04', time: '10am' })).toEqual({ args: { date: '2026-12-04', time: '10:00' } });
    expect(readArguments('check_availability', '{"date":"2026-12-04","time":""}')).toEqual({ args: { date: '2026-12-04' } });
    expect(readArguments('get_clinic_hours', undefined)).toEqual({ args: {} });
    expect(readArguments('get_clinic_hours', '')).toEqual({ args: {} });
    // Unknown fields a model adds are dropped, not refused.
    expect(readArguments('check_availability', { date: '2026-12-04', clinic: 'x' })).toEqual({ args: { date: '2026-12-04' } });
  });

  it('answers a sentence naming what is missing or unclear', () => {
    expect(readArguments('cancel_appointment', {})).toEqual({ error: "I need the confirmation number and the owner's phone number." });
    expect(readArguments('check_availability', { date: '2026-02-30' })).toEqual({ error: "I need the date as YYYY-MM-DD in the clinic's calendar (for example 2026-12-04)." });
    expect(readArguments('book_appointment', { date: '2026-12-04', time: '10:00', firstName: 'A', lastName: 'B', petName: 'C' })).toEqual({ error: 'I need the reason for the visit.' });
    expect(readArguments('check_availability', '[1]')).toEqual({ error: expect.stringMatching(/could not be read/) });
    expect(readArguments('check_availability', '{oops')).toEqual({ error: expect.stringMatching(/could not be read/) });
  });
});

describe('idempotencyKeyFor', () => {
  it('is one key per toolCallId, within the bookings key limit', () => {
    expect(idempotencyKeyFor('call_1')).toBe(idempotencyKeyFor('call_1'));
    expect(idempotencyKeyFor('call_1')).not.toBe(idempotencyKeyFor('call_2'));
    expect(idempotencyKeyFor('x'.repeat(200)).length).toBeLessThanOrEqual(200);
  });
});
