/**
 * The schedule grid's layout: the window's local days across, the slot start times down (every time
 * any day has a slot at), each cell the slot of that day and time or none. Dates and times are the
 * clinic's local calendar values, compared as strings ('YYYY-MM-DD', 'HH:MM').
 */

export interface GridSlot {
  date: string;
  startTime: string;
}

export interface ScheduleGrid<S extends GridSlot> {
  days: string[];
  times: string[];
  cell(date: string, time: string): S | undefined;
}

/** Every local date from a to b, both included (calendar arithmetic in UTC: no zone, no DST). */
export function datesBetween(a: string, b: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${b}T00:00:00Z`);
  for (let t = Date.parse(`${a}T00:00:00Z`); t <= end && out.length < 400; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export function buildScheduleGrid<S extends GridSlot>(slots: readonly S[], from: string, to: string): ScheduleGrid<S> {
  const byKey = new Map<string, S>();
  const times = new Set<string>();
  for (const s of slots) {
    if (s.date < from || s.date > to) continue;
    byKey.set(`${s.date} ${s.startTime}`, s);
    times.add(s.startTime);
  }
  return {
    days: datesBetween(from, to),
    times: [...times].sort(),
    cell: (date, time) => byKey.get(`${date} ${time}`),
  };
}

/** Where focus goes from a cell on an arrow, Home or End key (the grid's roving focus), clamped to the grid. */
export function moveInGrid(pos: { row: number; col: number }, key: string, size: { rows: number; cols: number }): { row: number; col: number } | null {
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max - 1, v));
  switch (key) {
    case 'ArrowUp':
      return { row: clamp(pos.row - 1, size.rows), col: pos.col };
    case 'ArrowDown':
      return { row: clamp(pos.row + 1, size.rows), col: pos.col };
    case 'ArrowLeft':
      return { row: pos.row, col: clamp(pos.col - 1, size.cols) };
    case 'ArrowRight':
      return { row: pos.row, col: clamp(pos.col + 1, size.cols) };
    case 'Home':
      return { row: pos.row, col: 0 };
    case 'End':
      return { row: pos.row, col: size.cols - 1 };
    default:
      return null;
  }
}

/** A local date moved by whole days ('YYYY-MM-DD'; calendar arithmetic, no zone). */
export function addDaysToDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
