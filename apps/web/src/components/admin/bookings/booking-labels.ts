import type { RouterOutputs } from '@/trpc/react';

export type BookingRow = RouterOutputs['admin']['bookings']['list']['items'][number];
export type WriteBackValue = NonNullable<BookingRow['writeBack']['status']>;
export type BookingStatusValue = BookingRow['status'];

export const WRITE_BACK_LABEL: Readonly<Record<WriteBackValue, string>> = {
  pending: 'pending',
  written: 'written',
  conflict: 'conflict',
  failed: 'failed',
  needs_review: 'needs review',
};

/** What each write-back state means, for the badge's hover and the filter. */
export const WRITE_BACK_MEANING: Readonly<Record<WriteBackValue, string>> = {
  pending: 'Being written to the PIMS',
  written: 'In the PIMS',
  conflict: 'Not written: the PIMS slot was full',
  failed: 'Not written: the PIMS kept failing; retry it',
  needs_review: 'Not written: several clients or patients matched; check the PIMS',
};

export const WRITE_BACK_BADGE: Readonly<Record<WriteBackValue, string>> = {
  pending: 'bg-sky-100 text-sky-900 ring-sky-600/25',
  written: 'bg-emerald-100 text-emerald-900 ring-emerald-600/25',
  conflict: 'bg-orange-100 text-orange-900 ring-orange-600/30',
  failed: 'bg-red-100 text-red-900 ring-red-600/25',
  needs_review: 'bg-violet-100 text-violet-900 ring-violet-600/25',
};

export const BOOKING_STATUS_BADGE: Readonly<Record<BookingStatusValue, string>> = {
  held: 'bg-slate-100 text-slate-800 ring-slate-500/25',
  confirmed: 'bg-indigo-100 text-indigo-900 ring-indigo-600/25',
  cancelled: 'bg-zinc-200 text-zinc-800 ring-zinc-500/25',
  expired: 'bg-zinc-100 text-zinc-700 ring-zinc-500/25',
};

export const SOURCE_LABEL: Readonly<Record<BookingRow['source'], string>> = {
  voice: 'Voice assistant',
  api: 'API',
  admin: 'Admin',
};
