import { DateTime, IANAZone } from 'luxon';

/**
 * The one place where instants and clinic-local calendar values are converted.
 * A LocalDate is 'YYYY-MM-DD' and a LocalTime 'HH:MM' (or 'HH:MM:SS'), always with a zone beside them.
 */
export type LocalDate = string;
export type LocalTime = string;

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
export function fixedClock(at: Date | string): Clock {
  const d = typeof at === 'string' ? new Date(at) : at;
  return { now: () => new Date(d.getTime()) };
}

export function isValidTimeZone(zone: string): boolean {
  return typeof zone === 'string' && zone.length > 0 && IANAZone.isValidZone(zone);
}

/** The clinic-local date of an instant. */
export function localDateOf(instant: Date, zone: string): LocalDate {
  return DateTime.fromJSDate(instant, { zone }).toISODate()!;
}

export function todayIn(zone: string, clock: Clock): LocalDate {
  return localDateOf(clock.now(), zone);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/** Inclusive list of dates from a to b. */
export function datesBetween(a: LocalDate, b: LocalDate): LocalDate[] {
  const out: LocalDate[] = [];
  for (let d = a; d <= b; d = addDays(d, 1)) out.push(d);
  return out;
}

/** ISO weekday, Monday 1 .. Sunday 7. */
export function isoWeekday(date: LocalDate): number {
  return DateTime.fromISO(date, { zone: 'UTC' }).weekday;
}

/** Minutes since midnight of 'HH:MM[:SS]'; '24:00' is 1440. */
export function minutesOf(time: LocalTime): number {
  const [h, m] = time.split(':').map((x) => Number.parseInt(x, 10));
  return h * 60 + (m || 0);
}

export function timeOfMinutes(minutes: number): LocalTime {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/**
 * The instant of a clinic-local wall-clock time. Returns null when that local time does not exist
 * (skipped by a spring-forward change); an ambiguous time (fall-back) resolves to its first occurrence.
 */
export function instantOfLocal(date: LocalDate, time: LocalTime, zone: string): Date | null {
  const minutes = minutesOf(time);
  const base = DateTime.fromISO(date, { zone }).startOf('day');
  const [y, mo, d] = date.split('-').map(Number);
  const dt = DateTime.fromObject(
    { year: y, month: mo, day: d, hour: Math.floor(minutes / 60) % 24, minute: minutes % 60 },
    { zone },
  );
  if (minutes >= 1440) return base.plus({ days: 1 }).toJSDate();
  if (!dt.isValid) return null;
  // Luxon shifts a non-existent local time forward; detect it by reading the wall clock back.
  if (dt.hour !== Math.floor(minutes / 60) || dt.minute !== minutes % 60) return null;
  // For an ambiguous time Luxon picks one offset; pick the earlier instant deterministically.
  const earlier = dt.minus({ hours: 1 });
  if (earlier.hour === dt.hour && earlier.minute === dt.minute && earlier.day === dt.day) return earlier.toJSDate();
  return dt.toJSDate();
}

/** Parses a clinic-local 'YYYY-MM-DD HH:MM[:SS]' or 'YYYY-MM-DDTHH:MM[:SS]' into its parts. */
export function parseLocalDateTime(value: string): { date: LocalDate; time: LocalTime } | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const dt = DateTime.fromISO(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}`, { zone: 'UTC' });
  if (!dt.isValid) return null;
  return { date: m[1], time: `${m[2]}:${m[3]}:${m[4] ?? '00'}` };
}

/** Clinic-local wall-clock value of an instant: 'YYYY-MM-DD HH:MM:SS'. */
export function formatLocalDateTime(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat('yyyy-LL-dd HH:mm:ss');
}

/** The local time 'HH:MM' of an instant in a zone. */
export function localTimeOf(instant: Date, zone: string): LocalTime {
  return DateTime.fromJSDate(instant, { zone }).toFormat('HH:mm');
}
