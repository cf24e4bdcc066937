import { AppError, addDays, type LocalDate } from '@pims/util';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Neo refuses calendar ranges longer than 31 days. */
export const MAX_CHUNK_DAYS = 31;

export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  // Round-trip through addDays so that 2026-02-30 is refused.
  return addDays(value, 0) === value;
}

export interface DateChunk {
  /** First clinic-local date of the chunk, inclusive. */
  from: LocalDate;
  /** Last clinic-local date of the chunk, inclusive. */
  to: LocalDate;
}

/** Splits from..to (both included) into consecutive chunks of at most chunkDays days. */
export function chunkDateRange(from: LocalDate, to: LocalDate, chunkDays: number): DateChunk[] {
  if (!isLocalDate(from) || !isLocalDate(to)) {
    throw new AppError('invalid_input', `Dates must be YYYY-MM-DD (got ${String(from)} .. ${String(to)})`, { status: 400 });
  }
  if (from > to) throw new AppError('invalid_input', `The range starts after it ends (${from} .. ${to})`, { status: 400 });
  if (!Number.isInteger(chunkDays) || chunkDays < 1 || chunkDays > MAX_CHUNK_DAYS) {
    throw new AppError('invalid_input', `chunkDays must be a whole number from 1 to ${MAX_CHUNK_DAYS}`, { status: 400 });
  }
  const chunks: DateChunk[] = [];
  for (let start = from; start <= to; start = addDays(start, chunkDays)) {
    const end = addDays(start, chunkDays - 1);
    chunks.push({ from: start, to: end < to ? end : to });
  }
  return chunks;
}

/** The getCalendarEventData query of a chunk: start at its first midnight, end at the midnight after it. */
export function calendarQuery(chunk: DateChunk): { start: string; end: string } {
  return { start: `${chunk.from} 00:00:00`, end: `${addDays(chunk.to, 1)} 00:00:00` };
}
