import { describe, expect, it } from 'vitest';
import { addDays, datesBetween, fixedClock, instantOfLocal, isoWeekday, localDateOf, parseLocalDateTime, todayIn } from './time';

describe('clinic-local time', () => {
  it("today is the clinic's local date, not the server's", () => {
    const clock = fixedClock('2026-11-27T10:30:00Z');
    expect(todayIn('Pacific/Kiritimati', clock)).toBe('2026-11-28'); // UTC+14
    expect(todayIn('Pacific/Pago_Pago', clock)).toBe('2026-11-26'); // UTC-11
    expect(todayIn('UTC', clock)).toBe('2026-11-27');
  });

  it('converts local wall-clock times to instants across DST', () => {
    expect(instantOfLocal('2026-07-01', '09:00', 'America/New_York')!.toISOString()).toBe('2026-07-01T13:00:00.000Z');
    expect(instantOfLocal('2026-12-01', '09:00', 'America/New_York')!.toISOString()).toBe('2026-12-01T14:00:00.000Z');
    // 2027-03-14 02:30 does not exist in New York (spring forward)
    expect(instantOfLocal('2027-03-14', '02:30', 'America/New_York')).toBeNull();
    // 2026-11-01 01:30 happens twice: the first occurrence (EDT) is chosen
    expect(instantOfLocal('2026-11-01', '01:30', 'America/New_York')!.toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(instantOfLocal('2026-11-01', '24:00', 'America/New_York')!.toISOString()).toBe('2026-11-02T05:00:00.000Z');
  });

  it('does calendar arithmetic on local dates', () => {
    expect(addDays('2026-11-27', -14)).toBe('2026-11-13');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(datesBetween('2026-10-31', '2026-11-02')).toEqual(['2026-10-31', '2026-11-01', '2026-11-02']);
    expect(isoWeekday('2026-11-29')).toBe(7); // Sunday
    expect(localDateOf(new Date('2026-11-27T04:00:00Z'), 'America/New_York')).toBe('2026-11-26');
  });

  it('parses Neo local date-times and rejects junk', () => {
    expect(parseLocalDateTime('2026-11-20 09:05:00')).toEqual({ date: '2026-11-20', time: '09:05:00' });
    expect(parseLocalDateTime('2026-11-20T09:05')).toEqual({ date: '2026-11-20', time: '09:05:00' });
    expect(parseLocalDateTime('2026-13-40 09:05')).toBeNull();
    expect(parseLocalDateTime('tomorrow')).toBeNull();
  });
});
