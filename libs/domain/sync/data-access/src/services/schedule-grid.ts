import { datesBetween, instantOfLocal, isoWeekday, minutesOf, timeOfMinutes } from '@pims/util';
import type { SlotRow } from '../repositories/schedule.repository';

/** Business hours as the grid needs them: ISO weekdays and local 'HH:MM' bounds ('24:00' allowed). */
export interface BusinessHours {
  daysOfWeek: number[];
  startTime: string;
  endTime: string;
}

export interface GridConfig {
  timezone: string;
  hours: BusinessHours[];
  slotMinutes: number;
  capacity: number;
}

const hms = (minutes: number) => `${timeOfMinutes(minutes)}:00`;

/**
 * Every business-hours slot of every local date in [from, to]. Local wall-clock times that do not
 * exist on a spring-forward day are skipped; an ambiguous fall-back time is its first occurrence.
 * A slot's end instant is its start plus the duration.
 */
export function buildSlotGrid(config: GridConfig, fromDate: string, toDate: string): SlotRow[] {
  const slots: SlotRow[] = [];
  const seen = new Set<string>();
  for (const date of datesBetween(fromDate, toDate)) {
    const weekday = isoWeekday(date);
    for (const h of config.hours) {
      if (!h.daysOfWeek.includes(weekday)) continue;
      const open = minutesOf(h.startTime);
      const close = minutesOf(h.endTime) || 1440;
      for (let m = open; m + config.slotMinutes <= close; m += config.slotMinutes) {
        const key = `${date} ${m}`;
        if (seen.has(key)) continue;
        const start = instantOfLocal(date, timeOfMinutes(m), config.timezone);
        if (!start) continue; // skipped by a DST change
        seen.add(key);
        slots.push({
          date,
          startTime: hms(m),
          endTime: hms(m + config.slotMinutes),
          startAt: start.toISOString(),
          endAt: new Date(start.getTime() + config.slotMinutes * 60_000).toISOString(),
          capacity: config.capacity,
        });
      }
    }
  }
  return slots;
}

/** The local start time ('HH:MM:SS') of the grid slot covering a local date and time, or null. */
export function slotStartFor(config: GridConfig, date: string, time: string): string | null {
  const weekday = isoWeekday(date);
  const t = minutesOf(time);
  for (const h of config.hours) {
    if (!h.daysOfWeek.includes(weekday)) continue;
    const open = minutesOf(h.startTime);
    const close = minutesOf(h.endTime) || 1440;
    if (t < open || t >= close) continue;
    const m = open + Math.floor((t - open) / config.slotMinutes) * config.slotMinutes;
    if (m + config.slotMinutes > close) continue;
    if (!instantOfLocal(date, timeOfMinutes(m), config.timezone)) continue;
    return hms(m);
  }
  return null;
}
