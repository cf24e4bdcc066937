'use client';

import type { ReactNode } from 'react';

/**
 * The rows a list table shows instead of its items: while the first page loads, when it could not be
 * loaded (the API's message and "Try again"), and when it is empty. Null when the items are there to
 * show. The sync history and the bookings share it.
 */
export function tableStateRows(o: {
  columns: number;
  /** The first page is still loading. */
  pending: boolean;
  /** The query failed and there is nothing to show. */
  error: { message: string } | null;
  onRetry: () => void;
  /** What could not be loaded: "the bookings", "the history". */
  what: string;
  /** The page loaded empty. */
  empty: boolean;
  emptyText: ReactNode;
  emptyTestId: string;
  /** What stands in the table while it loads. */
  loading: ReactNode;
}): ReactNode | null {
  if (o.pending) return o.loading;
  if (o.error)
    return (
      <tr>
        <td colSpan={o.columns} className="px-3 py-8 text-center">
          <p role="alert" className="text-sm text-red-800">
            Could not load {o.what}: {o.error.message}
          </p>
          <button type="button" onClick={o.onRetry} className="mt-2 text-sm font-medium text-indigo-700 underline">
            Try again
          </button>
        </td>
      </tr>
    );
  if (o.empty)
    return (
      <tr>
        <td colSpan={o.columns} className="px-3 py-10 text-center text-sm text-slate-600" data-testid={o.emptyTestId}>
          {o.emptyText}
        </td>
      </tr>
    );
  return null;
}
