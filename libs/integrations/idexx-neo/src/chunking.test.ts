import { describe, expect, it } from 'vitest';
import { calendarQuery, chunkDateRange, isLocalDate } from './chunking';

describe('chunkDateRange', () => {
  it('splits an inclusive range into 7-day chunks', () => {
    expect(chunkDateRange('2026-11-01', '2026-11-28', 7)).toEqual([
      { from: '2026-11-01', to: '2026-11-07' },
      { from: '2026-11-08', to: '2026-11-14' },
      { from: '2026-11-15', to: '2026-11-21' },
      { from: '2026-11-22', to: '2026-11-28' },
    ]);
  });

  it('keeps a short last chunk and a single day', () => {
    expect(chunkDateRange('2026-12-28', '2027-01-05', 7)).toEqual([
      { from: '2026-12-28', to: '2027-01-03' },
      { from: '2027-01-04', to: '2027-01-05' },
    ]);
    expect(chunkDateRange('2026-03-08', '2026-03-08', 7)).toEqual([{ from: '2026-03-08', to: '2026-03-08' }]);
  });

  it('crosses month ends, leap days and DST changes by calendar days', () => {
    const chunks = chunkDateRange('2028-02-27', '2028-03-12', 3);
    expect(chunks.map((c) => c.from)).toEqual(['2028-02-27', '2028-03-01', '2028-03-04', '2028-03-07', '2028-03-10']);
    expect(chunks[0].to).toBe('2028-02-29');
    expect(chunks.at(-1)!.to).toBe('2028-03-12');
  });

  it('covers every day exactly once', () => {
    const chunks = chunkDateRange('2026-01-01', '2026-12-31', 31);
    expect(chunks).toHaveLength(12);
    for (let i = 1; i < chunks.length; i += 1) expect(chunks[i].from > chunks[i - 1].to).toBe(true);
  });

  it('refuses bad input', () => {
    expect(() => chunkDateRange('2026-11-10', '2026-11-01', 7)).toThrow(/starts after/);
    expect(() => chunkDateRange('2026-02-30', '2026-03-01', 7)).toThrow(/YYYY-MM-DD/);
    expect(() => chunkDateRange('11/01/2026', '2026-11-02', 7)).toThrow(/YYYY-MM-DD/);
    expect(() => chunkDateRange('2026-11-01', '2026-11-02', 0)).toThrow(/chunkDays/);
    expect(() => chunkDateRange('2026-11-01', '2026-11-02', 32)).toThrow(/chunkDays/);
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('2028-02-29')).toBe(true);
  });
});

describe('calendarQuery', () => {
  it('starts at the first midnight and ends at the midnight after the last day', () => {
    expect(calendarQuery({ from: '2026-11-01', to: '2026-11-07' })).toEqual({ start: '2026-11-01 00:00:00', end: '2026-11-08 00:00:00' });
    expect(calendarQuery({ from: '2026-12-31', to: '2026-12-31' })).toEqual({ start: '2026-12-31 00:00:00', end: '2027-01-01 00:00:00' });
  });
});
