import { describe, expect, it } from 'vitest';
import {
  addDays,
  compareLocalInstants,
  datesBetween,
  fixedClock,
  instantOfLocal,
  instantOfLocalCompatible,
  isoWeekday,
  localDateOf,
  localToInstant,
  parseLocalDateTime,
  resolveLocalDateTime,
  todayIn,
  zoneOffsetMinutes,
} from './time';

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

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

  it('keeps the strict reading of generated schedule times in Berlin too, and the end of a day', () => {
    expect(instantOfLocal('2026-03-29', '02:30', 'Europe/Berlin')).toBeNull(); // skipped (CET -> CEST)
    expect(iso(instantOfLocal('2026-03-29', '03:00', 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(instantOfLocal('2026-10-25', '02:30', 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z'); // first (CEST)
    expect(iso(instantOfLocal('2026-11-20', '09:05:59', 'UTC'))).toBe('2026-11-20T09:05:00.000Z'); // seconds ignored
    // Santiago's clocks skip 2026-09-06 00:00; the end of 09-05 is the first moment of 09-06 all the same.
    expect(iso(instantOfLocal('2026-09-05', '24:00', 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
    expect(instantOfLocal('2026-02-30', '09:00', 'UTC')).toBeNull();
    expect(instantOfLocal('2026-11-20', '09:00', 'Mars/Olympus')).toBeNull();
  });
});

describe('zone offsets', () => {
  it('reads the offset in force at an instant, far east, far west and across DST', () => {
    expect(zoneOffsetMinutes(new Date('2026-11-20T00:00:00Z'), 'Pacific/Kiritimati')).toBe(14 * 60);
    expect(zoneOffsetMinutes(new Date('2026-11-20T00:00:00Z'), 'Pacific/Pago_Pago')).toBe(-11 * 60);
    expect(zoneOffsetMinutes(new Date('2026-03-08T06:59:59Z'), 'America/New_York')).toBe(-300);
    expect(zoneOffsetMinutes(new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(-240);
    expect(zoneOffsetMinutes(new Date('2026-10-25T00:59:59Z'), 'Europe/Berlin')).toBe(120);
    expect(zoneOffsetMinutes(new Date('2026-10-25T01:00:00Z'), 'Europe/Berlin')).toBe(60);
  });
});

describe('PIMS local times (compatible disambiguation)', () => {
  it('reads a time in a spring-forward gap with the offset from before the change', () => {
    // New York 2026-03-08: 02:00 EST -> 03:00 EDT
    expect(iso(instantOfLocalCompatible('2026-03-08', '02:30:00', 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(instantOfLocalCompatible('2026-03-08', '01:59:59', 'America/New_York'))).toBe('2026-03-08T06:59:59.000Z');
    expect(iso(instantOfLocalCompatible('2026-03-08', '03:00:00', 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    // Berlin 2026-03-29: 02:00 CET -> 03:00 CEST
    expect(iso(instantOfLocalCompatible('2026-03-29', '02:30:15', 'Europe/Berlin'))).toBe('2026-03-29T01:30:15.000Z');
    expect(iso(instantOfLocalCompatible('2026-03-29', '03:30:00', 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('takes the first occurrence of an ambiguous fall-back time, and the later offset after the overlap', () => {
    // New York 2026-11-01: 02:00 EDT -> 01:00 EST, so 01:00..01:59 happens twice
    expect(iso(instantOfLocalCompatible('2026-11-01', '01:30:00', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(instantOfLocalCompatible('2026-11-01', '00:59:59', 'America/New_York'))).toBe('2026-11-01T04:59:59.000Z');
    expect(iso(instantOfLocalCompatible('2026-11-01', '02:00:00', 'America/New_York'))).toBe('2026-11-01T07:00:00.000Z');
    // Berlin 2026-10-25: 03:00 CEST -> 02:00 CET
    expect(iso(instantOfLocalCompatible('2026-10-25', '02:30:00', 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(instantOfLocalCompatible('2026-10-25', '03:00:00', 'Europe/Berlin'))).toBe('2026-10-25T02:00:00.000Z');
  });

  it('converts at UTC+14 and UTC-11, where the local date differs from the UTC date', () => {
    expect(iso(instantOfLocalCompatible('2026-11-20', '00:30:00', 'Pacific/Kiritimati'))).toBe('2026-11-19T10:30:00.000Z');
    expect(iso(instantOfLocalCompatible('2026-11-20', '23:30:45', 'Pacific/Pago_Pago'))).toBe('2026-11-21T10:30:45.000Z');
    expect(iso(instantOfLocalCompatible('2026-11-20', '24:00', 'Pacific/Kiritimati'))).toBe('2026-11-20T10:00:00.000Z');
  });

  it('refuses what is not a real date, time or zone', () => {
    expect(instantOfLocalCompatible('2026-02-29', '09:00', 'UTC')).toBeNull(); // 2026 is no leap year
    expect(instantOfLocalCompatible('2026-11-20', '25:00:00', 'UTC')).toBeNull();
    expect(instantOfLocalCompatible('2026-11-20', '09:60', 'UTC')).toBeNull();
    expect(instantOfLocalCompatible('2026-11-20', '24:30', 'UTC')).toBeNull();
    expect(instantOfLocalCompatible('20/11/2026', '09:00', 'UTC')).toBeNull();
    expect(instantOfLocalCompatible('2026-11-20', '09:00', 'Not/AZone')).toBeNull();
  });

  it('resolves local and offset timestamps to the clinic wall clock and the instant', () => {
    expect(resolveLocalDateTime('2026-11-20T09:00', 'Asia/Tokyo')).toEqual({ date: '2026-11-20', time: '09:00:00', instant: new Date('2026-11-20T00:00:00Z') });
    expect(resolveLocalDateTime('2026-11-20 00:30:00', 'Pacific/Kiritimati')?.instant.toISOString()).toBe('2026-11-19T10:30:00.000Z');
    // An offset value keeps its instant and is shown on the clinic's clock.
    expect(resolveLocalDateTime('2026-11-20T00:00:00Z', 'Asia/Tokyo')).toEqual({ date: '2026-11-20', time: '09:00:00', instant: new Date('2026-11-20T00:00:00Z') });
    expect(resolveLocalDateTime('2026-11-20T10:00:00+14:00', 'Pacific/Pago_Pago')).toEqual({ date: '2026-11-19', time: '09:00:00', instant: new Date('2026-11-19T20:00:00Z') });
    expect(iso(localToInstant('2026-11-01T01:30:00-0500', 'America/New_York'))).toBe('2026-11-01T06:30:00.000Z'); // the second 01:30
    expect(iso(localToInstant('2026-03-08 02:30', 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
    for (const junk of ['tomorrow', '2026-11-20 25:00:00', '2026-11-20T09:00:00+25:99', '2026-11-20', '']) {
      expect(localToInstant(junk, 'UTC'), junk).toBeNull();
    }
  });

  it('compares local timestamps as instants, not as text', () => {
    const ny = 'America/New_York';
    // Across the fall-back hour: 01:45 (first, EDT) is before 01:30 EST.
    expect(compareLocalInstants('2026-11-01 01:45:00', '2026-11-01T01:30:00-05:00', ny)).toBeLessThan(0);
    expect(compareLocalInstants('2026-11-01T01:30:00-05:00', '2026-11-01 01:45:00', ny)).toBeGreaterThan(0);
    // A local value and an offset value for the same moment are equal.
    expect(compareLocalInstants('2026-11-20 09:00:00', '2026-11-20T14:00:00Z', ny)).toBe(0);
    expect(compareLocalInstants('2026-11-20 09:00', '2026-11-20T09:00:00', ny)).toBe(0);
    // At UTC+14 the local '20th' is still the 19th in UTC.
    expect(compareLocalInstants('2026-11-20 00:30:00', '2026-11-19T12:00:00Z', 'Pacific/Kiritimati')).toBeLessThan(0);
    expect(compareLocalInstants('2026-11-20 23:30:00', '2026-11-21T09:00:00Z', 'Pacific/Pago_Pago')).toBeGreaterThan(0);
    // A missing or unreadable value loses to a readable one.
    expect(compareLocalInstants(null, '2026-11-20 09:00:00', ny)).toBeLessThan(0);
    expect(compareLocalInstants('2026-11-20 09:00:00', 'garbage', ny)).toBeGreaterThan(0);
    expect(compareLocalInstants(undefined, 'garbage', ny)).toBe(0);
  });
});
