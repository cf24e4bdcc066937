'use client';

import { SYNC_TYPE_LABEL } from '@pims/sync-contracts';
import { useEffect, useId, useRef } from 'react';
import { Spinner } from '@/components/ui/spinner';
import { durationBetween, formatDuration, formatExact, useNow } from '@/components/ui/time';
import { api } from '@/trpc/react';
import { SyncStatusBadge, SyncTypeBadge } from './sync-badges';
import { clinicLabel, phaseProgressText, type SyncAuditView } from './sync-labels';

/** How often the list is refreshed (the dashboard promises at most 2 s). */
export const ACTIVE_SYNCS_REFRESH_MS = 1_500;

export interface ActiveSyncOperationsProps {
  clinics: Map<string, string>;
  /** Called with the ids of syncs that left the active list (they ended). */
  onSyncsEnded: (syncIds: string[]) => void;
}

export function ActiveSyncOperations({ clinics, onSyncsEnded }: ActiveSyncOperationsProps) {
  const ids = useId();
  const active = api.admin.sync.getActiveSyncs.useQuery(
    {},
    { refetchInterval: ACTIVE_SYNCS_REFRESH_MS, refetchIntervalInBackground: true, staleTime: 0 },
  );
  const items = active.data;

  // A sync that was active and is not any more has ended: tell the page (history refreshes).
  const previous = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (!items) return;
    const now = new Set(items.map((s) => s.id));
    const before = previous.current;
    previous.current = now;
    if (!before) return;
    const ended = [...before].filter((id) => !now.has(id));
    if (ended.length) onSyncsEnded(ended);
  }, [items, onSyncsEnded]);

  return (
    <section aria-labelledby={`${ids}-title`} className="rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="active-sync-operations">
      <div className="flex items-center justify-between border-b border-slate-200 px-5 py-4">
        <div>
          <h2 id={`${ids}-title`} className="text-base font-semibold text-slate-900">
            Active Sync Operations
          </h2>
          <p className="mt-0.5 text-sm text-slate-600">Queued and running syncs, refreshed live.</p>
        </div>
        <span className="inline-flex items-center gap-1.5 text-xs font-medium text-slate-500" title={`Refreshed every ${ACTIVE_SYNCS_REFRESH_MS / 1000} s`}>
          <span aria-hidden="true" className={`size-2 rounded-full ${active.isError ? 'bg-red-500' : 'animate-pulse bg-emerald-500'}`} />
          {active.isError ? 'Offline' : 'Live'}
        </span>
      </div>

      <div className="px-5 py-4" aria-live="polite" aria-busy={active.isPending}>
        {active.isPending ? (
          <p className="flex items-center gap-2 text-sm text-slate-500">
            <Spinner className="size-4" /> Loading active syncs…
          </p>
        ) : active.isError && !items ? (
          <p role="alert" className="text-sm text-red-700">
            Could not load active syncs: {active.error.message}
          </p>
        ) : items && items.length > 0 ? (
          <ul className="space-y-3">
            {items.map((sync) => (
              <ActiveSyncItem key={sync.id} sync={sync} clinicName={clinicLabel(sync, clinics)} />
            ))}
          </ul>
        ) : (
          <p className="flex items-center gap-2 py-2 text-sm text-slate-500" data-testid="no-active-syncs">
            <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 text-emerald-500" fill="currentColor">
              <path fillRule="evenodd" d="M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16zm3.86-9.66a.75.75 0 1 0-1.22-.88l-3.24 4.5-1.8-1.8a.75.75 0 0 0-1.06 1.06l2.42 2.42a.75.75 0 0 0 1.14-.09l3.76-5.2z" clipRule="evenodd" />
            </svg>
            No syncs running.
          </p>
        )}
      </div>
    </section>
  );
}

function ActiveSyncItem({ sync, clinicName }: { sync: SyncAuditView; clinicName: string }) {
  const utils = api.useUtils();
  const now = useNow(1_000);
  const cancel = api.admin.sync.cancelSync.useMutation({
    onSettled: () => utils.admin.sync.getActiveSyncs.invalidate(),
  });
  const cancelling = Boolean(sync.cancelRequestedAt) || cancel.isPending || cancel.isSuccess;
  const phase = phaseProgressText(sync);
  const pct = Math.max(0, Math.min(100, Math.round(sync.progressPercentage)));
  const since = sync.startedAt ?? sync.createdAt;
  const elapsed = durationBetween(since, null, now);
  const label = `${SYNC_TYPE_LABEL[sync.syncType]} for ${clinicName}`;

  return (
    <li
      id={`sync-${sync.id}`}
      className="scroll-mt-6 rounded-lg border border-slate-200 p-4 target:border-indigo-400 target:ring-2 target:ring-indigo-200"
      data-testid="active-sync"
      data-sync-id={sync.id}
    >
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <span className="truncate font-medium text-slate-900">{clinicName}</span>
            <SyncTypeBadge type={sync.syncType} />
            <SyncStatusBadge status={sync.status} />
          </div>
          <p className="mt-1 text-sm text-slate-700" data-testid="active-sync-phase">
            {sync.status === 'queued' ? 'Waiting for a worker…' : (phase ?? 'Starting…')}
          </p>
        </div>
        <button
          type="button"
          onClick={() => cancel.mutate({ syncId: sync.id })}
          disabled={cancelling}
          aria-label={`Cancel ${label}`}
          className="inline-flex shrink-0 items-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-xs font-semibold text-slate-700 shadow-xs hover:border-red-300 hover:bg-red-50 hover:text-red-700 disabled:cursor-not-allowed disabled:opacity-60"
        >
          {cancel.isPending && <Spinner className="size-3" />}
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>

      <div
        role="progressbar"
        aria-label={`Progress of ${label}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        className="mt-3 h-2 overflow-hidden rounded-full bg-slate-100"
      >
        <div
          className={`h-full rounded-full bg-indigo-500 transition-[width] duration-500 ${sync.status === 'in_progress' ? 'progress-active' : ''}`}
          style={{ width: `${Math.max(pct, sync.status === 'in_progress' ? 2 : 0)}%` }}
        />
      </div>

      <dl className="mt-2 flex flex-wrap gap-x-6 gap-y-1 text-xs text-slate-600">
        <div className="flex gap-1">
          <dt>Items</dt>
          <dd className="font-medium tabular-nums text-slate-800" data-testid="active-sync-items">
            {sync.totalItems > 0 ? `${sync.processedItems.toLocaleString('en-US')} / ${sync.totalItems.toLocaleString('en-US')}` : '—'}
          </dd>
        </div>
        <div className="flex gap-1">
          <dt>Progress</dt>
          <dd className="font-medium tabular-nums text-slate-800">{pct}%</dd>
        </div>
        <div className="flex gap-1">
          <dt>{sync.startedAt ? 'Elapsed' : 'Waiting'}</dt>
          <dd className="font-medium tabular-nums text-slate-800">
            <time dateTime={since} title={`Since ${formatExact(since)}`}>
              {elapsed === null ? '—' : elapsed < 1000 ? '0s' : formatDuration(Math.floor(elapsed / 1000) * 1000)}
            </time>
          </dd>
        </div>
      </dl>
      {cancel.isError && (
        <p role="alert" className="mt-2 text-xs text-red-700">
          Could not cancel: {cancel.error.message}
        </p>
      )}
    </li>
  );
}
