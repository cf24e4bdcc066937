import { DateTime } from 'luxon';
import { formatLocalDateTime, parseLocalDateTime } from '@pims/util';

/**
 * The simulator keeps every time as a clinic-local wall-clock string 'YYYY-MM-DD HH:MM:SS' (as Neo
 * serves them); such strings order correctly as text. Instants only appear at the edges (the clock,
 * values given with an offset).
 */
export type LocalDateTime = string;

const OFFSET_RE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** 'YYYY-MM-DD HH:MM[:SS]' or 'YYYY-MM-DDTHH:MM[:SS]' (no offset) -> 'YYYY-MM-DD HH:MM:SS'. */
export function normalizeLocal(value: string): LocalDateTime | null {
  const p = parseLocalDateTime(value);
  if (!p) return null;
  const [h, m] = p.time.split(':').map(Number);
  if (h > 23 || m > 59) return null;
  return `${p.date} ${p.time}`;
}

/** A local value as above, or an ISO instant with an offset converted to the clinic's zone. */
export function toClinicLocal(value: string, zone: string): LocalDateTime | null {
  const v = value.trim();
  if (OFFSET_RE.test(v) && v.includes('T')) {
    const dt = DateTime.fromISO(v, { setZone: true });
    if (!dt.isValid) return null;
    return dt.setZone(zone).toFormat('yyyy-LL-dd HH:mm:ss');
  }
  return normalizeLocal(v);
}

/** True when the value is a valid local date-time or an ISO instant with an offset. */
export function isLocalOrInstant(value: string): boolean {
  return toClinicLocal(value, 'UTC') !== null;
}

export function localNow(now: Date, zone: string): LocalDateTime {
  return formatLocalDateTime(now, zone);
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Wall-clock value as milliseconds on a zone-free (UTC) time line: plain calendar arithmetic, fast. */
function wallMs(local: LocalDateTime): number {
  const m = LOCAL_RE.exec(local);
  if (!m) throw new Error(`Not a local date-time: ${local}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

function fromWallMs(ms: number): LocalDateTime {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Wall-clock arithmetic (a 30-minute visit is 30 minutes on the clinic's clock). */
export function addMinutesLocal(local: LocalDateTime, minutes: number): LocalDateTime {
  return fromWallMs(wallMs(local) + minutes * 60_000);
}

export function addSecondsLocal(local: LocalDateTime, seconds: number): LocalDateTime {
  return fromWallMs(wallMs(local) + seconds * 1000);
}

/** Whole minutes from a to b on the wall clock. */
export function minutesBetweenLocal(a: LocalDateTime, b: LocalDateTime): number {
  return Math.round((wallMs(b) - wallMs(a)) / 60_000);
}

export function maxLocal(...values: (LocalDateTime | null | undefined)[]): LocalDateTime | null {
  let best: LocalDateTime | null = null;
  for (const v of values) if (v && (best === null || v > best)) best = v;
  return best;
}

export function datePart(local: LocalDateTime): string {
  return local.slice(0, 10);
}
