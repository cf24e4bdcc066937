import cronParser from 'cron-parser';
import { DateTime } from 'luxon';

/**
 * When a clinic's nightly sync is due: its cron read as clinic-local wall-clock times, one run per
 * matching local (day, hour, minute), with the daylight-saving rules of the nightly schedule:
 * - a wall time that does not exist that day (the spring-forward gap) runs at the first instant
 *   after the gap;
 * - a wall time that occurs twice (fall back) runs once, at its first occurrence.
 *
 * cron-parser parses and expands the fields; the walk over local days is written here because its
 * own time-zone iteration skips or repeats runs around DST changes (the bug this replaces).
 */

export const DEFAULT_SYNC_CRON = '0 2 * * *';
export const DEFAULT_CATCH_UP_HOURS = 6;

interface CronFields {
  minutes: number[];
  hours: number[];
  daysOfMonth: Set<number> | null; // null: every day
  months: Set<number>;
  daysOfWeek: Set<number> | null; // ISO 1..7; null: every day
}

const cache = new Map<string, CronFields>();

function fieldsOf(cron: string): CronFields {
  const hit = cache.get(cron);
  if (hit) return hit;
  const f = cronParser.parseExpression(cron).fields;
  const dom = (f.dayOfMonth as readonly unknown[]).filter((d): d is number => typeof d === 'number');
  const dow = new Set<number>(f.dayOfWeek.map((d) => (d === 0 ? 7 : Number(d))));
  const fields: CronFields = {
    minutes: [...f.minute].map(Number).sort((a, b) => a - b),
    hours: [...f.hour].map(Number).sort((a, b) => a - b),
    daysOfMonth: dom.length >= 31 ? null : new Set(dom),
    months: new Set<number>(f.month.map(Number)),
    daysOfWeek: dow.size >= 7 ? null : dow,
  };
  if (cache.size > 1000) cache.clear();
  cache.set(cron, fields);
  return fields;
}

/** Whether `cron` is a 5-field expression that runs at most once an hour. */
export function checkNightlyCron(cron: string): { ok: true } | { ok: false; reason: string } {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) return { ok: false, reason: 'expected 5 fields: minute hour day-of-month month day-of-week' };
  try {
    const f = fieldsOf(cron.trim());
    if (f.minutes.length !== 1) return { ok: false, reason: 'the minute field must be one number: the sync runs at most once an hour' };
  } catch {
    return { ok: false, reason: 'expected a cron expression such as "0 2 * * *"' };
  }
  return { ok: true };
}

/** Standard cron day matching: when both day fields are restricted, either may match. */
function dayMatches(f: CronFields, d: DateTime): boolean {
  if (!f.months.has(d.month)) return false;
  const domOk = f.daysOfMonth === null || f.daysOfMonth.has(d.day);
  const dowOk = f.daysOfWeek === null || f.daysOfWeek.has(d.weekday);
  if (f.daysOfMonth !== null && f.daysOfWeek !== null) return domOk || dowOk;
  return domOk && dowOk;
}

/**
 * The instant of a clinic-local wall time: its first occurrence when it occurs twice, the first
 * instant after the gap when it does not exist.
 */
export function wallTimeInstant(date: string, hour: number, minute: number, zone: string): Date {
  const [y, mo, d] = date.split('-').map(Number);
  const naive = Date.UTC(y, mo - 1, d, hour, minute);
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone }).offset * 60_000;
  const before = offsetAt(naive - 36 * 3_600_000);
  const after = offsetAt(naive + 36 * 3_600_000);
  const matches = [before, after]
    .map((o) => naive - o)
    .filter((ms) => {
      const local = DateTime.fromMillis(ms, { zone });
      return local.hour === hour && local.minute === minute && local.toISODate() === date;
    })
    .sort((a, b) => a - b);
  if (matches.length > 0) return new Date(matches[0]);
  // In the gap: the transition instant lies between naive - after and naive - before; find the
  // first instant (to the minute) whose offset is the new one.
  let lo = naive - Math.max(before, after) - 3_600_000;
  let hi = naive - Math.min(before, after) + 3_600_000;
  const target = after;
  while (hi - lo > 60_000) {
    const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000;
    if (offsetAt(mid) === target) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/** The first nightly run due strictly after `after`, or null when the cron never matches in a year. */
export function nextNightlyRun(cron: string, zone: string, after: Date): Date | null {
  const f = fieldsOf(cron);
  const start = DateTime.fromJSDate(after, { zone }).startOf('day').minus({ days: 1 });
  for (let i = 0; i < 400; i++) {
    const day = start.plus({ days: i });
    if (!dayMatches(f, day)) continue;
    const date = day.toISODate()!;
    for (const h of f.hours) {
      for (const m of f.minutes) {
        const at = wallTimeInstant(date, h, m, zone);
        if (at.getTime() > after.getTime()) return at;
      }
    }
  }
  return null;
}

export type DuePlan =
  | { action: 'plan'; nextAt: Date | null }
  | { action: 'run'; dueAt: Date; missed: Date[]; nextAt: Date | null }
  | { action: 'missed'; missed: Date[]; nextAt: Date | null };

/**
 * What the dispatcher does with a clinic whose nightly run is due (or not planned yet) at `now`:
 * runs due longer ago than the catch-up window are recorded as missed; the latest one inside the
 * window runs now.
 */
export function planDue(input: { cron: string; zone: string; nextAt: Date | null; now: Date; catchUpHours: number }): DuePlan {
  const { cron, zone, now } = input;
  if (input.nextAt === null) return { action: 'plan', nextAt: nextNightlyRun(cron, zone, now) };
  const windowMs = input.catchUpHours * 3_600_000;
  const missed: Date[] = [];
  let due: Date | null = input.nextAt;
  // Bounded: a clinic that was down for a long time records its most recent misses only.
  for (let i = 0; due && due.getTime() <= now.getTime() && i < 1000; i++) {
    const next = nextNightlyRun(cron, zone, due);
    const nextIsDue = next !== null && next.getTime() <= now.getTime();
    if (now.getTime() - due.getTime() > windowMs || nextIsDue) {
      missed.push(due);
      due = next;
      continue;
    }
    return { action: 'run', dueAt: due, missed: missed.slice(-7), nextAt: next };
  }
  if (missed.length > 0) return { action: 'missed', missed: missed.slice(-7), nextAt: due };
  return { action: 'plan', nextAt: due };
}
