/**
 * The nightly sync's time as the admin picks it (a wall-clock time in the clinic's zone and the ISO
 * weekdays it runs on) and the 5-field cron pims-sync stores (`syncCron`, read in the clinic's zone).
 * Only the crons this picker makes are read back; any other is shown as it is (`nightlyFromCron` null).
 */

export interface NightlyTime {
  /** 'HH:MM', 00:00 to 23:59, in the clinic's time zone. */
  time: string;
  /** ISO weekdays (1 = Monday .. 7 = Sunday), each once, in order. */
  days: number[];
}

export const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const SHORT_DAY = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "30 3 * * 1-5" from {time: "03:30", days: [1..5]}. Throws on a time or days the picker cannot make. */
export function cronFromNightly(n: NightlyTime): string {
  const m = TIME.exec(n.time);
  if (!m) throw new Error(`not a time HH:MM: ${n.time}`);
  const days = [...new Set(n.days)].sort((a, b) => a - b);
  if (days.length === 0 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw new Error('choose at least one day');
  return `${Number(m[2])} ${Number(m[1])} * * ${cronDays(days)}`;
}

/** Cron's day-of-week field: `*` for every day, else Sunday as 0 first, then runs of Mon..Sat as ranges. */
function cronDays(days: number[]): string {
  if (days.length === 7) return '*';
  const parts: string[] = days.includes(7) ? ['0'] : [];
  const weekdays = days.filter((d) => d !== 7);
  for (let i = 0; i < weekdays.length; ) {
    let j = i;
    while (j + 1 < weekdays.length && weekdays[j + 1] === weekdays[j] + 1) j++;
    parts.push(j - i >= 2 ? `${weekdays[i]}-${weekdays[j]}` : weekdays.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** The picker's view of a cron it could have made (`M H * * DOW`), or null for any other cron. */
export function nightlyFromCron(cron: string): NightlyTime | null {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5 || f[2] !== '*' || f[3] !== '*') return null;
  if (!/^\d{1,2}$/.test(f[0]) || !/^\d{1,2}$/.test(f[1])) return null;
  const minute = Number(f[0]);
  const hour = Number(f[1]);
  if (minute > 59 || hour > 23) return null;
  const days = parseDays(f[4]);
  if (!days) return null;
  return { time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`, days };
}

function parseDays(field: string): number[] | null {
  if (field === '*') return [...ALL_DAYS];
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\d)(?:-(\d))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a > 7 || b > 7 || b < a) return null;
    // Cron counts Sunday as 0 or 7; ISO as 7.
    for (let d = a; d <= b; d++) out.add(d === 0 ? 7 : d);
  }
  return [...out].sort((x, y) => x - y);
}

/** "every day at 02:00", "Mon–Fri at 03:30", "Mon, Wed, Fri at 01:00". */
export function describeNightly(n: NightlyTime): string {
  const days = [...new Set(n.days)].sort((a, b) => a - b);
  let when: string;
  if (days.length === 7) when = 'every day';
  else if (days.length > 2 && days.every((d, i) => i === 0 || d === days[i - 1] + 1)) when = `${SHORT_DAY[days[0]]}–${SHORT_DAY[days[days.length - 1]]}`;
  else when = days.map((d) => SHORT_DAY[d]).join(', ');
  return `${when} at ${n.time}`;
}

export const DAY_NAMES: Readonly<Record<number, { short: string; long: string }>> = {
  1: { short: 'Mon', long: 'Monday' },
  2: { short: 'Tue', long: 'Tuesday' },
  3: { short: 'Wed', long: 'Wednesday' },
  4: { short: 'Thu', long: 'Thursday' },
  5: { short: 'Fri', long: 'Friday' },
  6: { short: 'Sat', long: 'Saturday' },
  7: { short: 'Sun', long: 'Sunday' },
};
