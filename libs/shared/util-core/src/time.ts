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
  if (typeof zone !== 'string' || zone.length === 0) return false;
  // luxon's check builds a new Intl.DateTimeFormat on every call (about 0.1 ms): remembered per zone,
  // since every time conversion of a sync asks it again for the same clinic zone.
  let valid = validZones.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (validZones.size > 1000) validZones.clear();
    validZones.set(zone, valid);
  }
  return valid;
}
const validZones = new Map<string, boolean>();

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

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** A zone's offset from UTC at an instant, in minutes (local wall clock minus UTC): -300 for New York in winter. */
export function zoneOffsetMinutes(instant: Date, zone: string): number {
  // The zone's own offset lookup (an Intl formatter per zone), without building a whole DateTime, and
  // remembered per quarter hour: offsets change only at transitions, which fall on quarter hours; a
  // quarter hour whose two ends disagree (a historical odd transition) is never remembered.
  const ms = instant.getTime();
  const bucket = Math.floor(ms / QUARTER_MS);
  const key = `${zone}|${bucket}`;
  const hit = offsetCache.get(key);
  if (hit !== undefined) return hit;
  const z = IANAZone.create(zone);
  const offset = z.offset(ms);
  if (z.offset(bucket * QUARTER_MS) === offset && z.offset(bucket * QUARTER_MS + QUARTER_MS - 1) === offset) {
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}
const QUARTER_MS = 15 * 60_000;
const offsetCache = new Map<string, number>();

/**
 * The wall-clock reading as if it were UTC (ms), for a valid 'YYYY-MM-DD' and hour/minute/second;
 * 24:00:00 is the next day's midnight. Null when the date or time does not exist on any calendar.
 */
function wallMs(date: LocalDate, hour: number, minute: number, second: number): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (hour === 24 && minute === 0 && second === 0) {
    const midnight = wallMs(date, 0, 0, 0);
    return midnight === null ? null : midnight + DAY_MS;
  }
  if (![hour, minute, second].every(Number.isInteger) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, hour, minute, second);
  const back = new Date(ms);
  // Date.UTC rolls 02-30 over into March; a real date reads back unchanged.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms;
}

/**
 * How a wall-clock reading maps onto instants in a zone: the offsets (ms) under which it exists (none
 * in a spring-forward gap, two in a fall-back overlap), and the offset in force just before a change.
 * Offsets are looked up a day either side, which brackets every real offset (UTC-12 .. UTC+14).
 */
function offsetsOfWall(wall: number, zone: string): { fitting: number[]; before: number } {
  const offsetMs = (ms: number) => zoneOffsetMinutes(new Date(ms), zone) * MINUTE_MS;
  const before = offsetMs(wall - DAY_MS);
  const after = offsetMs(wall + DAY_MS);
  const candidates = before === after ? [before] : [before, after];
  return { fitting: candidates.filter((o) => offsetMs(wall - o) === o), before };
}

/** 'HH:MM[:SS]' (or '24:00') as hour, minute, second; null when unreadable. */
function clockParts(time: LocalTime): [number, number, number] | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(time.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

/**
 * The instant of a clinic-local wall-clock time 'HH:MM' (seconds are ignored; '24:00' is the next
 * midnight, which always exists). Returns null when that local time does not exist (skipped by a spring-forward change);
 * an ambiguous time (fall-back) resolves to its first occurrence. For schedules we generate.
 */
export function instantOfLocal(date: LocalDate, time: LocalTime, zone: string): Date | null {
  const parts = clockParts(time);
  if (!parts || !isValidTimeZone(zone)) return null;
  // The end of the day always exists: a midnight skipped by a change is read as the moment after it.
  if (parts[0] === 24) return parts[1] === 0 ? instantOfLocalCompatible(date, '24:00', zone) : null;
  const wall = wallMs(date, parts[0], parts[1], 0);
  if (wall === null) return null;
  const { fitting } = offsetsOfWall(wall, zone);
  return fitting.length === 0 ? null : new Date(wall - Math.max(...fitting));
}

/**
 * The instant of a clinic-local wall-clock time 'HH:MM[:SS]', for values a PIMS holds (which can fall
 * anywhere), with Temporal's "compatible" disambiguation: a time inside a spring-forward gap is read
 * with the offset from before the change (New York's 02:30 on the change day is 07:30Z, the moment
 * 03:30 EDT), an ambiguous fall-back time takes its first occurrence. Seconds are kept; '24:00' is the
 * next midnight. Null only when the date, time or zone is not real.
 */
export function instantOfLocalCompatible(date: LocalDate, time: LocalTime, zone: string): Date | null {
  const parts = clockParts(time);
  if (!parts || !isValidTimeZone(zone)) return null;
  const wall = wallMs(date, ...parts);
  if (wall === null) return null;
  const { fitting, before } = offsetsOfWall(wall, zone);
  // The earlier of two instants is the one under the larger offset.
  return new Date(wall - (fitting.length === 0 ? before : Math.max(...fitting)));
}

/** Parses a clinic-local 'YYYY-MM-DD HH:MM[:SS]' or 'YYYY-MM-DDTHH:MM[:SS]' into its parts. */
export function parseLocalDateTime(value: string): { date: LocalDate; time: LocalTime } | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  if (wallMs(m[1], Number(m[2]), Number(m[3]), Number(m[4] ?? 0)) === null) return null;
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

/** A clinic-local reading and the instant it stands for. */
export interface ResolvedLocalDateTime {
  date: LocalDate;
  /** 'HH:MM:SS' */
  time: LocalTime;
  instant: Date;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[zZ]|[+-](\d{2}):?(\d{2}))$/;

/**
 * Reads a timestamp a PIMS sends: clinic-local 'YYYY-MM-DD HH:MM[:SS]' (or with a 'T'), resolved in the
 * clinic's zone as instantOfLocalCompatible does; or an ISO value with an offset ('Z', '+09:00',
 * '-0500'), whose instant is kept and whose date and time are the clinic's wall clock at it.
 * Null when unreadable.
 */
export function resolveLocalDateTime(value: string, zone: string): ResolvedLocalDateTime | null {
  if (typeof value !== 'string' || !isValidTimeZone(zone)) return null;
  const v = value.trim();
  const local = parseLocalDateTime(v);
  if (local) {
    const instant = instantOfLocalCompatible(local.date, local.time, zone);
    return instant ? { date: local.date, time: local.time, instant } : null;
  }
  const withOffset = ISO_WITH_OFFSET.exec(v);
  // Real offsets lie within UTC-12 .. UTC+14; '+25:99' is a typo, not a time.
  if (!withOffset || Number(withOffset[1] ?? 0) > 14 || Number(withOffset[2] ?? 0) > 59) return null;
  const dt = DateTime.fromISO(v, { setZone: true });
  if (!dt.isValid) return null;
  const instant = dt.toJSDate();
  const [date, time] = formatLocalDateTime(instant, zone).split(' ');
  return { date, time, instant };
}

/** The instant of a clinic-local 'YYYY-MM-DD HH:MM[:SS]' (or ISO with offset) timestamp; null when unreadable. */
export function localToInstant(value: string, zone: string): Date | null {
  return resolveLocalDateTime(value, zone)?.instant ?? null;
}

/**
 * Orders two clinic-local timestamps (as resolveLocalDateTime reads them) by the instants they stand
 * for, not by their text: negative when a is earlier, positive when later, 0 for the same instant.
 * Strings mislead across a fall-back hour ('01:45' EDT is before '01:30' EST) and between a local
 * value and one with an offset. A missing or unreadable value is earlier than any readable one
 * (two of them are equal), so the copy that carries a real timestamp wins.
 */
export function compareLocalInstants(a: string | null | undefined, b: string | null | undefined, zone: string): number {
  const ia = a == null ? null : localToInstant(a, zone);
  const ib = b == null ? null : localToInstant(b, zone);
  if (ia === null || ib === null) return ia === null ? (ib === null ? 0 : -1) : 1;
  return Math.sign(ia.getTime() - ib.getTime());
}
