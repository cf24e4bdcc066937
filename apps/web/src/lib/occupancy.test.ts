import { describe, expect, it } from 'vitest';
import { OCCUPANCY_CLASS, occupancyOf, seatBreakdown, seatSummary } from './occupancy';
import { buildScheduleGrid, datesBetween, moveInGrid } from './schedule-grid';
import { formatInZone, formatLocalDate, zoneAbbreviation } from './zoned-time';

describe("a slot cell's occupancy", () => {
  it('is free, partly taken, full or over-booked by taken against capacity; closed without seats', () => {
    expect(occupancyOf({ capacity: 3, taken: 0 })).toBe('free');
    expect(occupancyOf({ capacity: 3, taken: 1 })).toBe('partial');
    expect(occupancyOf({ capacity: 3, taken: 2 })).toBe('partial');
    expect(occupancyOf({ capacity: 3, taken: 3 })).toBe('full');
    expect(occupancyOf({ capacity: 3, taken: 4 })).toBe('over');
    expect(occupancyOf({ capacity: 1, taken: 1 })).toBe('full');
    expect(occupancyOf({ capacity: 0, taken: 0 })).toBe('closed');
    expect(occupancyOf({ capacity: 0, taken: 1 })).toBe('over');
  });

  it('has its own colour per state', () => {
    expect(new Set(Object.values(OCCUPANCY_CLASS)).size).toBe(5);
  });

  it('tells the PIMS, our bookings and holds apart in words', () => {
    const s = { capacity: 3, taken: 2, pimsAppointments: 1, bookings: 1, holds: 0 };
    expect(seatBreakdown(s)).toBe('PIMS 1 · ours 1 · holds 0');
    expect(seatSummary(s)).toBe('2 of 3 seats taken');
    expect(seatSummary({ capacity: 1, taken: 0 })).toBe('0 of 1 seat taken');
  });
});

describe('the schedule grid', () => {
  it('has every day of the window across (empty ones too) and every slot time down', () => {
    const slots = [
      { date: '2026-03-07', startTime: '09:30', id: 'b' },
      { date: '2026-03-07', startTime: '09:00', id: 'a' },
      { date: '2026-03-09', startTime: '08:30', id: 'c' },
      { date: '2026-03-20', startTime: '07:00', id: 'outside' },
    ];
    const g = buildScheduleGrid(slots, '2026-03-07', '2026-03-09');
    expect(g.days).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect(g.times).toEqual(['08:30', '09:00', '09:30']);
    expect(g.cell('2026-03-07', '09:00')?.id).toBe('a');
    expect(g.cell('2026-03-08', '09:00')).toBeUndefined();
    expect(g.cell('2026-03-20', '07:00')).toBeUndefined();
  });

  it('counts calendar days across a daylight-saving change and a month end', () => {
    expect(datesBetween('2026-03-07', '2026-03-10')).toEqual(['2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10']);
    expect(datesBetween('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(datesBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });

  it('moves focus with the arrows, Home and End, and stops at the edges', () => {
    const size = { rows: 3, cols: 14 };
    expect(moveInGrid({ row: 0, col: 0 }, 'ArrowRight', size)).toEqual({ row: 0, col: 1 });
    expect(moveInGrid({ row: 0, col: 0 }, 'ArrowUp', size)).toEqual({ row: 0, col: 0 });
    expect(moveInGrid({ row: 2, col: 13 }, 'ArrowDown', size)).toEqual({ row: 2, col: 13 });
    expect(moveInGrid({ row: 1, col: 5 }, 'End', size)).toEqual({ row: 1, col: 13 });
    expect(moveInGrid({ row: 1, col: 5 }, 'Home', size)).toEqual({ row: 1, col: 0 });
    expect(moveInGrid({ row: 1, col: 5 }, 'a', size)).toBeNull();
  });
});

describe('times in the clinic zone', () => {
  it("names the zone and converts instants to it, whatever the machine's zone", () => {
    expect(formatInZone('2026-01-15T15:30:00Z', 'America/Chicago')).toBe('Thu, Jan 15, 09:30 CST');
    expect(formatInZone('2026-07-15T15:30:00Z', 'America/Chicago', { date: false })).toBe('10:30 CDT');
    expect(zoneAbbreviation('America/New_York', '2026-01-15T12:00:00Z')).toBe('EST');
    expect(formatLocalDate('2026-11-03')).toBe('Tue, Nov 3');
  });
});
