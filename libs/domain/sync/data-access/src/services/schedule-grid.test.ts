import { describe, expect, it } from 'vitest';
import { buildSlotGrid, slotStartFor, type GridConfig } from './schedule-grid';

const ny = (hours: GridConfig['hours'], slotMinutes = 30): GridConfig => ({ timezone: 'America/New_York', hours, slotMinutes, capacity: 2 });
const allWeek = [1, 2, 3, 4, 5, 6, 7];

describe('slot grid', () => {
  it('makes every business-hours slot of the window, weekdays only', () => {
    // 2026-11-27 is a Friday: Fri, (Sat, Sun skipped), Mon
    const slots = buildSlotGrid(ny([{ daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' }]), '2026-11-27', '2026-11-30');
    expect(slots).toHaveLength(40);
    expect(new Set(slots.map((s) => s.date))).toEqual(new Set(['2026-11-27', '2026-11-30']));
    expect(slots[0]).toEqual({
      date: '2026-11-27',
      startTime: '08:00:00',
      endTime: '08:30:00',
      startAt: '2026-11-27T13:00:00.000Z',
      endAt: '2026-11-27T13:30:00.000Z',
      capacity: 2,
    });
    expect(slots[19].startTime).toBe('17:30:00');
  });

  it('keeps business hours in local time across the November DST change', () => {
    const slots = buildSlotGrid(ny([{ daysOfWeek: allWeek, startTime: '08:00', endTime: '18:00' }]), '2026-10-31', '2026-11-01');
    const sat = slots.filter((s) => s.date === '2026-10-31');
    const sun = slots.filter((s) => s.date === '2026-11-01');
    expect(sat).toHaveLength(20);
    expect(sun).toHaveLength(20);
    expect(sat[0].startAt).toBe('2026-10-31T12:00:00.000Z'); // EDT, UTC-4
    expect(sun[0].startAt).toBe('2026-11-01T13:00:00.000Z'); // EST, UTC-5
  });

  it('on a 24-hour grid: the fall-back day keeps one slot per local time, the spring-forward day skips the missing hour', () => {
    const fall = buildSlotGrid(ny([{ daysOfWeek: allWeek, startTime: '00:00', endTime: '24:00' }]), '2026-11-01', '2026-11-01');
    expect(fall).toHaveLength(48);
    const s0130 = fall.find((s) => s.startTime === '01:30:00')!;
    expect(s0130.startAt).toBe('2026-11-01T05:30:00.000Z'); // first 01:30 (EDT)
    expect(fall.find((s) => s.startTime === '02:00:00')!.startAt).toBe('2026-11-01T07:00:00.000Z'); // EST
    expect(fall.at(-1)!.endTime).toBe('24:00:00');
    const spring = buildSlotGrid(ny([{ daysOfWeek: allWeek, startTime: '00:00', endTime: '24:00' }]), '2027-03-14', '2027-03-14');
    expect(spring).toHaveLength(46);
    expect(spring.map((s) => s.startTime)).not.toContain('02:00:00');
    expect(spring.map((s) => s.startTime)).not.toContain('02:30:00');
    expect(spring.find((s) => s.startTime === '03:00:00')!.startAt).toBe('2027-03-14T07:00:00.000Z'); // EDT
    // every slot's instant is unique and increasing
    const instants = spring.map((s) => Date.parse(s.startAt));
    expect([...instants].sort((a, b) => a - b)).toEqual(instants);
  });

  it('links an appointment to the slot covering its local start, or none outside hours', () => {
    const cfg = ny([{ daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '18:00' }]);
    expect(slotStartFor(cfg, '2026-11-30', '09:10:00')).toBe('09:00:00');
    expect(slotStartFor(cfg, '2026-11-30', '09:30:00')).toBe('09:30:00');
    expect(slotStartFor(cfg, '2026-11-30', '07:59:00')).toBeNull();
    expect(slotStartFor(cfg, '2026-11-30', '18:00:00')).toBeNull();
    expect(slotStartFor(cfg, '2026-11-29', '10:00:00')).toBeNull(); // Sunday
    // a 45-minute grid in 08:00-18:00: the last full slot is 17:00-17:45; 17:50 is outside any slot
    const c45 = { ...cfg, slotMinutes: 45 };
    expect(slotStartFor(c45, '2026-11-30', '17:10:00')).toBe('17:00:00');
    expect(slotStartFor(c45, '2026-11-30', '17:50:00')).toBeNull();
  });
});
