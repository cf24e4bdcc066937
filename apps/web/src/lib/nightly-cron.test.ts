import { describe, expect, it } from 'vitest';
import { cronFromNightly, describeNightly, nightlyFromCron } from './nightly-cron';

describe('the nightly time picker and its cron', () => {
  it('makes the cron pims-sync stores: minute, hour, every day of the month and month, the weekdays', () => {
    expect(cronFromNightly({ time: '02:00', days: [1, 2, 3, 4, 5, 6, 7] })).toBe('0 2 * * *');
    expect(cronFromNightly({ time: '03:30', days: [1, 2, 3, 4, 5] })).toBe('30 3 * * 1-5');
    expect(cronFromNightly({ time: '23:59', days: [5, 1, 3] })).toBe('59 23 * * 1,3,5');
    // Sunday is cron's 0; two days in a row stay a list, three or more a range.
    expect(cronFromNightly({ time: '00:05', days: [6, 7] })).toBe('5 0 * * 0,6');
    expect(cronFromNightly({ time: '01:00', days: [7, 1, 2] })).toBe('0 1 * * 0,1,2');
    expect(cronFromNightly({ time: '01:00', days: [1, 2, 4, 5, 6, 7] })).toBe('0 1 * * 0,1,2,4-6');
  });

  it('refuses a time or days it cannot make', () => {
    expect(() => cronFromNightly({ time: '24:00', days: [1] })).toThrow();
    expect(() => cronFromNightly({ time: '2:00', days: [1] })).toThrow();
    expect(() => cronFromNightly({ time: '02:00', days: [] })).toThrow();
    expect(() => cronFromNightly({ time: '02:00', days: [0] })).toThrow();
  });

  it('reads back every cron it makes, and only those', () => {
    for (const n of [
      { time: '02:00', days: [1, 2, 3, 4, 5, 6, 7] },
      { time: '03:30', days: [1, 2, 3, 4, 5] },
      { time: '00:05', days: [6, 7] },
      { time: '12:45', days: [2, 4] },
      { time: '01:00', days: [1, 2, 4, 5, 6, 7] },
    ]) {
      expect(nightlyFromCron(cronFromNightly(n))).toEqual(n);
    }
    // Sunday written as 7, ranges through it.
    expect(nightlyFromCron('0 4 * * 5-7')).toEqual({ time: '04:00', days: [5, 6, 7] });
    for (const other of ['*/5 2 * * *', '0 2 1 * *', '0 2 * 1 *', '0 */2 * * *', '0 2 * * MON', '0 2 * *', '60 2 * * *', '0 24 * * *', '0 2 * * 5-1']) {
      expect(nightlyFromCron(other)).toBeNull();
    }
  });

  it('says when in words', () => {
    expect(describeNightly({ time: '02:00', days: [1, 2, 3, 4, 5, 6, 7] })).toBe('every day at 02:00');
    expect(describeNightly({ time: '03:30', days: [1, 2, 3, 4, 5] })).toBe('Mon–Fri at 03:30');
    expect(describeNightly({ time: '01:00', days: [1, 3, 5] })).toBe('Mon, Wed, Fri at 01:00');
  });
});
