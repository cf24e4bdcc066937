import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { checkNightlyCron, nextNightlyRun, planDue, wallTimeInstant } from './nightly-schedule';

const local = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd HH:mm ZZ");

/** Every run of `cron` from `from` (exclusive) up to `to`. */
function runsBetween(cron: string, zone: string, from: string, to: string): string[] {
  const out: string[] = [];
  let at: Date | null = DateTime.fromISO(from, { zone }).toJSDate();
  const end = DateTime.fromISO(to, { zone }).toJSDate();
  for (;;) {
    at = nextNightlyRun(cron, zone, at);
    if (!at || at > end) break;
    out.push(local(at, zone));
  }
  return out;
}

describe('nightly schedule', () => {
  it('runs at 02:00 local every day, in the clinic zone, not the server one', () => {
    expect(runsBetween('0 2 * * *', 'Pacific/Kiritimati', '2026-12-01T00:00', '2026-12-03T23:59')).toEqual([
      '2026-12-01 02:00 +14:00',
      '2026-12-02 02:00 +14:00',
      '2026-12-03 02:00 +14:00',
    ]);
  });

  it('runs once on the New York spring-forward day, at the first instant after the gap', () => {
    expect(runsBetween('0 2 * * *', 'America/New_York', '2027-03-13T00:00', '2027-03-15T23:59')).toEqual([
      '2027-03-13 02:00 -05:00',
      '2027-03-14 03:00 -04:00',
      '2027-03-15 02:00 -04:00',
    ]);
    // 02:30 does not exist either: the first instant after the gap is 03:00, not 03:30.
    expect(local(wallTimeInstant('2027-03-14', 2, 30, 'America/New_York'), 'America/New_York')).toBe('2027-03-14 03:00 -04:00');
  });

  it('runs once on the fall-back day, at the first of the two 01:30s', () => {
    expect(runsBetween('30 1 * * *', 'America/New_York', '2027-11-06T00:00', '2027-11-08T23:59')).toEqual([
      '2027-11-06 01:30 -04:00',
      '2027-11-07 01:30 -04:00',
      '2027-11-08 01:30 -05:00',
    ]);
  });

  it('Berlin: spring forward and fall back at 02:00', () => {
    expect(runsBetween('0 2 * * *', 'Europe/Berlin', '2027-03-27T00:00', '2027-03-29T23:59')).toEqual([
      '2027-03-27 02:00 +01:00',
      '2027-03-28 03:00 +02:00',
      '2027-03-29 02:00 +02:00',
    ]);
    expect(runsBetween('0 2 * * *', 'Europe/Berlin', '2027-10-30T00:00', '2027-11-01T23:59')).toEqual([
      '2027-10-30 02:00 +02:00',
      '2027-10-31 02:00 +02:00',
      '2027-11-01 02:00 +01:00',
    ]);
  });

  it('weekdays only, and standard day-of-month OR day-of-week matching', () => {
    expect(runsBetween('30 3 * * 1-5', 'UTC', '2026-12-04T00:00', '2026-12-08T23:59')).toEqual([
      '2026-12-04 03:30 +00:00',
      '2026-12-07 03:30 +00:00',
      '2026-12-08 03:30 +00:00',
    ]);
    expect(runsBetween('0 4 1 * 7', 'UTC', '2026-12-01T05:00', '2027-01-01T23:59')).toEqual([
      '2026-12-06 04:00 +00:00',
      '2026-12-13 04:00 +00:00',
      '2026-12-20 04:00 +00:00',
      '2026-12-27 04:00 +00:00',
      '2027-01-01 04:00 +00:00',
    ]);
  });

  it('accepts 5-field crons that run at most once an hour', () => {
    expect(checkNightlyCron('0 2 * * *')).toEqual({ ok: true });
    expect(checkNightlyCron('30 3 * * 1-5')).toEqual({ ok: true });
    expect(checkNightlyCron('0 */6 * * *')).toEqual({ ok: true });
    expect(checkNightlyCron('* * * * *').ok).toBe(false);
    expect(checkNightlyCron('*/5 * * * *').ok).toBe(false);
    expect(checkNightlyCron('0 0 2 * * *').ok).toBe(false);
    expect(checkNightlyCron('3f2504e0-4f89-11d3-9a0c-0305e82c3301').ok).toBe(false);
  });

  describe('planDue', () => {
    const zone = 'America/New_York';
    const at = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();
    const cron = '0 2 * * *';

    it('plans a new clinic for the next run after now', () => {
      expect(planDue({ cron, zone, nextAt: null, now: at('2026-12-01T10:00'), catchUpHours: 6 })).toEqual({ action: 'plan', nextAt: at('2026-12-02T02:00') });
    });

    it('runs a missed 02:00 at 05:00 (inside the catch-up window)', () => {
      expect(planDue({ cron, zone, nextAt: at('2026-12-01T02:00'), now: at('2026-12-01T05:00'), catchUpHours: 6 })).toEqual({
        action: 'run',
        dueAt: at('2026-12-01T02:00'),
        missed: [],
        nextAt: at('2026-12-02T02:00'),
      });
    });

    it('records the 02:00 run as missed at 09:00', () => {
      expect(planDue({ cron, zone, nextAt: at('2026-12-01T02:00'), now: at('2026-12-01T09:00'), catchUpHours: 6 })).toEqual({
        action: 'missed',
        missed: [at('2026-12-01T02:00')],
        nextAt: at('2026-12-02T02:00'),
      });
    });

    it('after three days down, records the old runs missed and runs the one inside the window', () => {
      const p = planDue({ cron, zone, nextAt: at('2026-11-28T02:00'), now: at('2026-12-01T03:00'), catchUpHours: 6 });
      expect(p).toEqual({
        action: 'run',
        dueAt: at('2026-12-01T02:00'),
        missed: [at('2026-11-28T02:00'), at('2026-11-29T02:00'), at('2026-11-30T02:00')],
        nextAt: at('2026-12-02T02:00'),
      });
    });

    it('is not due before its time', () => {
      expect(planDue({ cron, zone, nextAt: at('2026-12-02T02:00'), now: at('2026-12-01T23:00'), catchUpHours: 6 })).toEqual({ action: 'plan', nextAt: at('2026-12-02T02:00') });
    });
  });
});
