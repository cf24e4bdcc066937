import { addDays } from '@pims/util';

/** Clinic-local dates from..to, both included ('YYYY-MM-DD'). */
export interface DateRange {
  from: string;
  to: string;
}

/** The ranges sorted, overlapping and touching ones joined. */
export function normalizeRanges(ranges: readonly DateRange[]): DateRange[] {
  const sorted = ranges.filter((r) => r.from <= r.to).sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const out: DateRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= addDays(last.to, 1)) {
      if (r.to > last.to) last.to = r.to;
    } else out.push({ from: r.from, to: r.to });
  }
  return out;
}

export function addRange(ranges: readonly DateRange[], r: DateRange): DateRange[] {
  return normalizeRanges([...ranges, r]);
}

export function coversDate(ranges: readonly DateRange[], date: string): boolean {
  return ranges.some((r) => r.from <= date && date <= r.to);
}

export function intersects(a: DateRange, b: DateRange): boolean {
  return a.from <= b.to && b.from <= a.to;
}

/** The parts of `r` that no range covers, in date order. */
export function uncoveredParts(ranges: readonly DateRange[], r: DateRange): DateRange[] {
  const out: DateRange[] = [];
  let cursor = r.from;
  for (const c of normalizeRanges(ranges)) {
    if (c.to < cursor) continue;
    if (c.from > r.to) break;
    if (c.from > cursor) out.push({ from: cursor, to: addDays(c.from, -1) });
    cursor = addDays(c.to, 1);
    if (cursor > r.to) return out;
  }
  if (cursor <= r.to) out.push({ from: cursor, to: r.to });
  return out;
}

/** The smallest range holding all of them, or null for none. */
export function hull(ranges: readonly DateRange[]): DateRange | null {
  if (ranges.length === 0) return null;
  let from = ranges[0].from;
  let to = ranges[0].to;
  for (const r of ranges) {
    if (r.from < from) from = r.from;
    if (r.to > to) to = r.to;
  }
  return { from, to };
}
