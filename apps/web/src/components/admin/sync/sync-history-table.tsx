'use client';

import { SYNC_STATUSES, SYNC_STATUS_LABEL, SYNC_TYPE_DISPLAY_ORDER, SYNC_TYPE_LABEL } from '@pims/sync-contracts';
import { keepPreviousData } from '@tanstack/react-query';
import Link from 'next/link';
import { Fragment, useId, useState } from 'react';
import { ClearFiltersButton, FilterSelect } from '@/components/ui/controls';
import { Spinner } from '@/components/ui/spinner';
import { tableStateRows } from '@/components/ui/table-state';
import { RelativeTime, durationBetween, formatDuration, formatExact } from '@/components/ui/time';
import { api } from '@/trpc/react';
import { PhaseCard } from './phase-card';
import { SyncStatusBadge, SyncTypeBadge } from './sync-badges';
import {
  clinicLabel,
  humanizeKey,
  plannedPhases,
  syncErrorText,
  type ClinicView,
  type SyncAuditView,
  type SyncStatusValue,
  type SyncTypeValue,
} from './sync-labels';

export const HISTORY_PAGE_SIZE = 10;
const COLUMNS = 11;

interface Filters {
  clinicId: string;
  type: '' | SyncTypeValue;
  status: '' | SyncStatusValue;
}

const NO_FILTERS: Filters = { clinicId: '', type: '', status: '' };

export interface SyncHistoryTableProps {
  clinics: ClinicView[] | undefined;
  clinicNames: Map<string, string>;
}

export function SyncHistoryTable({ clinics, clinicNames }: SyncHistoryTableProps) {
  const ids = useId();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // Cursor pages: the cursors of the pages seen so far (page 1 has none).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const page = cursors.length;

  const history = api.admin.sync.getSyncHistory.useQuery(
    {
      clinicId: filters.clinicId || undefined,
      type: filters.type || undefined,
      status: filters.status || undefined,
      limit: HISTORY_PAGE_SIZE,
      cursor: cursors[cursors.length - 1],
    },
    { placeholderData: keepPreviousData, refetchInterval: 15_000 },
  );
  const items = history.data?.items;
  const nextCursor = history.data?.nextCursor ?? null;
  const filtered = filters.clinicId !== '' || filters.type !== '' || filters.status !== '';

  const setFilter = <K extends keyof Filters>(key: K, value: Filters[K]) => {
    setFilters((f) => ({ ...f, [key]: value }));
    setCursors([null]);
  };
  const toggle = (id: string) =>
    setExpanded((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <section aria-labelledby={`${ids}-title`} className="rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="sync-history">
      <div className="flex flex-wrap items-end justify-between gap-4 border-b border-slate-200 px-5 py-4">
        <div>
          <h2 id={`${ids}-title`} className="flex items-center gap-2 text-base font-semibold text-slate-900">
            Sync History
            {history.isFetching && !history.isPending && <Spinner className="size-3.5 text-slate-400" label="Refreshing" />}
          </h2>
          <p className="mt-0.5 text-sm text-slate-600">Every sync, newest first. Expand a row to see its phases.</p>
        </div>
        <div className="flex flex-wrap items-end gap-3" role="group" aria-label="Filter the history">
          <FilterSelect id={`${ids}-f-clinic`} label="Clinic" value={filters.clinicId} onChange={(v) => setFilter('clinicId', v)}>
            <option value="">All clinics</option>
            {clinics?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </FilterSelect>
          <FilterSelect id={`${ids}-f-type`} label="Type" value={filters.type} onChange={(v) => setFilter('type', v as Filters['type'])}>
            <option value="">All types</option>
            {SYNC_TYPE_DISPLAY_ORDER.map((t) => (
              <option key={t} value={t}>
                {SYNC_TYPE_LABEL[t]}
              </option>
            ))}
          </FilterSelect>
          <FilterSelect id={`${ids}-f-status`} label="Status" value={filters.status} onChange={(v) => setFilter('status', v as Filters['status'])}>
            <option value="">All statuses</option>
            {SYNC_STATUSES.map((s) => (
              <option key={s} value={s}>
                {SYNC_STATUS_LABEL[s]}
              </option>
            ))}
          </FilterSelect>
          {filtered && (
            <ClearFiltersButton
              onClear={() => {
                setFilters(NO_FILTERS);
                setCursors([null]);
              }}
            />
          )}
        </div>
      </div>

      <div className="overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200 text-sm" aria-describedby={`${ids}-caption`}>
          <caption id={`${ids}-caption`} className="sr-only">
            Sync history{filtered ? ' (filtered)' : ''}, page {page}
          </caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="w-10 px-2.5 py-2.5">
                <span className="sr-only">Details</span>
              </th>
              <th scope="col" className="px-2.5 py-2.5">Type</th>
              <th scope="col" className="px-2.5 py-2.5">Status</th>
              <th scope="col" className="px-2.5 py-2.5">Clinic</th>
              <th scope="col" className="px-2.5 py-2.5">Started</th>
              <th scope="col" className="px-2.5 py-2.5">Duration</th>
              <th scope="col" className="px-2.5 py-2.5 text-right">Found</th>
              <th scope="col" className="px-2.5 py-2.5 text-right">Created</th>
              <th scope="col" className="px-2.5 py-2.5 text-right">Updated</th>
              <th scope="col" className="px-2.5 py-2.5 text-right">Deleted</th>
              <th scope="col" className="px-2.5 py-2.5">Error</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tableStateRows({
              columns: COLUMNS,
              pending: history.isPending,
              error: history.isError && !items ? history.error : null,
              onRetry: () => void history.refetch(),
              what: 'the history',
              empty: !!items && items.length === 0,
              emptyText: filtered ? 'No syncs match these filters.' : 'No syncs yet. Start one with Full Sync above.',
              emptyTestId: 'history-empty',
              loading: Array.from({ length: 3 }, (_, i) => (
                <tr key={i} aria-hidden="true">
                  <td colSpan={COLUMNS} className="px-3 py-3">
                    <div className="h-4 animate-pulse rounded bg-slate-100" />
                  </td>
                </tr>
              )),
            }) ??
              items?.map((sync) => (
                <HistoryRow
                  key={sync.id}
                  sync={sync}
                  clinicName={clinicLabel(sync, clinicNames)}
                  expanded={expanded.has(sync.id)}
                  onToggle={() => toggle(sync.id)}
                />
              ))}
          </tbody>
        </table>
      </div>

      <nav aria-label="History pages" className="flex items-center justify-between gap-3 border-t border-slate-200 px-5 py-3 text-sm">
        <span className="text-slate-600">
          Page {page}
          {items && items.length > 0 ? ` · ${items.length} ${items.length === 1 ? 'sync' : 'syncs'}` : ''}
        </span>
        <div className="flex gap-2">
          <button
            type="button"
            onClick={() => setCursors((c) => c.slice(0, -1))}
            disabled={page === 1}
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-700 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
          >
            Previous
          </button>
          <button
            type="button"
            onClick={() => nextCursor && setCursors((c) => [...c, nextCursor])}
            disabled={!nextCursor || history.isPlaceholderData}
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-700 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
          >
            Next
          </button>
        </div>
      </nav>
    </section>
  );
}

const num = (n: number) => n.toLocaleString('en-US');

function HistoryRow({ sync, clinicName, expanded, onToggle }: { sync: SyncAuditView; clinicName: string; expanded: boolean; onToggle: () => void }) {
  const error = syncErrorText(sync);
  const duration = durationBetween(sync.startedAt, sync.completedAt);
  const detailsId = `sync-phases-${sync.id}`;
  return (
    <Fragment>
      <tr className={`align-top hover:bg-slate-50 ${expanded ? 'bg-slate-50' : ''}`} data-testid="history-row" data-sync-id={sync.id} data-status={sync.status}>
        <td className="px-2.5 py-2.5">
          <button
            type="button"
            onClick={onToggle}
            aria-expanded={expanded}
            aria-controls={detailsId}
            aria-label={`${expanded ? 'Hide' : 'Show'} phases of the ${SYNC_TYPE_LABEL[sync.syncType]} for ${clinicName}`}
            className="rounded p-1 text-slate-500 hover:bg-slate-200 hover:text-slate-800"
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className={`size-4 transition-transform ${expanded ? 'rotate-90' : ''}`}>
              <path fillRule="evenodd" d="M7.21 14.77a.75.75 0 0 1 .02-1.06L11.17 10 7.23 6.29a.75.75 0 1 1 1.04-1.08l4.5 4.25a.75.75 0 0 1 0 1.08l-4.5 4.25a.75.75 0 0 1-1.06-.02z" clipRule="evenodd" />
            </svg>
          </button>
        </td>
        <td className="whitespace-nowrap px-2.5 py-2.5">
          <SyncTypeBadge type={sync.syncType} />
        </td>
        <td className="whitespace-nowrap px-2.5 py-2.5">
          <SyncStatusBadge status={sync.status} />
        </td>
        <td className="px-2.5 py-2.5 font-medium text-slate-800">
          <div className="max-w-44 truncate" title={clinicName}>
            {clinicName}
          </div>
        </td>
        <td className="whitespace-nowrap px-2.5 py-2.5 text-slate-700">
          <RelativeTime iso={sync.startedAt ?? sync.createdAt} />
        </td>
        <td className="whitespace-nowrap px-2.5 py-2.5 tabular-nums text-slate-700">{duration === null ? '—' : formatDuration(duration)}</td>
        <td className="px-2.5 py-2.5 text-right tabular-nums">{num(sync.appointmentsFound)}</td>
        <td className="px-2.5 py-2.5 text-right tabular-nums">{num(sync.casesCreated)}</td>
        <td className="px-2.5 py-2.5 text-right tabular-nums">{num(sync.casesUpdated)}</td>
        <td className="px-2.5 py-2.5 text-right tabular-nums">{num(sync.casesDeleted)}</td>
        <td className="px-2.5 py-2.5" data-testid="history-error">
          {error ? (
            <span className="line-clamp-2 max-w-52 break-words text-red-700" title={error}>
              {error}
            </span>
          ) : (
            <span className="text-slate-400">—</span>
          )}
        </td>
      </tr>
      {expanded && (
        <tr id={detailsId} className="bg-slate-50/70">
          <td colSpan={COLUMNS} className="px-5 pb-5 pt-1">
            <SyncDetails sync={sync} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

function SyncDetails({ sync }: { sync: SyncAuditView }) {
  const recorded = new Map(sync.phases.map((p) => [p.name, p]));
  const phases = plannedPhases(sync);
  const options = Object.entries(sync.options).filter(([, v]) => typeof v !== 'object');
  return (
    <div className="space-y-3" data-testid="sync-details">
      <ol className="grid gap-3 lg:grid-cols-2">
        {phases.map((name, i) => (
          <PhaseCard key={name} index={i} name={name} phase={recorded.get(name)} />
        ))}
      </ol>
      <Link href={`/dashboard/admin/sync/${sync.id}`} className="inline-block text-sm font-medium text-indigo-700 underline-offset-2 hover:underline" data-testid="sync-details-link">
        Open the sync&apos;s page: timeline and held deletes
      </Link>
      <dl className="flex flex-wrap gap-x-6 gap-y-1 text-xs text-slate-600">
        <div className="flex gap-1">
          <dt>Sync id</dt>
          <dd className="font-mono text-slate-800">{sync.id}</dd>
        </div>
        <div className="flex gap-1">
          <dt>Triggered by</dt>
          <dd className="text-slate-800">
            {sync.triggeredBy}
            {sync.requestedBy ? ` (${sync.requestedBy})` : ''}
          </dd>
        </div>
        <div className="flex gap-1">
          <dt>Queued</dt>
          <dd className="text-slate-800">{formatExact(sync.createdAt)}</dd>
        </div>
        {sync.completedAt && (
          <div className="flex gap-1">
            <dt>Ended</dt>
            <dd className="text-slate-800">{formatExact(sync.completedAt)}</dd>
          </div>
        )}
        {options.map(([k, v]) => (
          <div key={k} className="flex gap-1">
            <dt>{humanizeKey(k)}</dt>
            <dd className="text-slate-800">{String(v)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
