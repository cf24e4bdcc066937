'use client';

import { PHASE_LABEL, SYNC_TYPE_LABEL } from '@pims/sync-contracts';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Breadcrumbs, DANGER_BUTTON, LINK_CLASS, Notice, Panel, QueryState } from '@/components/ui/controls';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { RelativeTime, durationBetween, formatDuration, formatExact, useNow } from '@/components/ui/time';
import { heldExplanation, syncTimeline } from '@/lib/sync-timeline';
import { api } from '@/trpc/react';
import { clinicPath, syncPath } from '../clinics/clinic-labels';
import { PhaseCard } from './phase-card';
import { SyncStatusBadge, SyncTypeBadge } from './sync-badges';
import { humanizeKey, plannedPhases, syncErrorText, type PhaseStatusValue, type SyncAuditView } from './sync-labels';

const LIVE = new Set(['queued', 'in_progress']);

/** Bar colours of the timeline by phase status. */
const BAR_CLASS: Record<PhaseStatusValue, string> = {
  pending: 'bg-slate-300',
  running: 'bg-blue-500 progress-active',
  completed: 'bg-emerald-500',
  failed: 'bg-red-500',
  held: 'bg-orange-500',
  skipped: 'bg-zinc-300',
  cancelled: 'bg-zinc-400',
};

/** /dashboard/admin/sync/[syncId]: one sync's phases on a time axis, their stats and errors, held deletes. */
export function SyncDetail({ syncId }: { syncId: string }) {
  const sync = api.admin.sync.getSync.useQuery({ syncId }, { refetchInterval: (q) => (q.state.data && !LIVE.has(q.state.data.status) ? false : 1_500) });
  const label = sync.data ? `${SYNC_TYPE_LABEL[sync.data.syncType]} ${syncId.slice(0, 8)}` : 'Sync';
  return (
    <div>
      <Breadcrumbs items={[{ href: '/dashboard/admin/sync', label: 'Sync' }, { label }]} />
      <QueryState pending={sync.isPending} error={sync.isError && !sync.data ? sync.error : null} onRetry={() => sync.refetch()} what="the sync">
        {sync.data && <SyncDetailBody sync={sync.data} />}
      </QueryState>
    </div>
  );
}

function SyncDetailBody({ sync }: { sync: SyncAuditView }) {
  const now = useNow(1_000);
  const live = LIVE.has(sync.status);
  const clinicName = sync.clinicName ?? `Clinic ${sync.clinicId.slice(0, 8)}`;
  const took = durationBetween(sync.startedAt, sync.completedAt, live ? now : undefined);
  const error = syncErrorText(sync);
  const held = sync.phases.filter((p) => p.status === 'held');
  return (
    <div className="space-y-6" data-testid="sync-detail" data-sync-id={sync.id} data-status={sync.status}>
      <div>
        <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight text-slate-900">
          {SYNC_TYPE_LABEL[sync.syncType]} of {clinicName}
          <SyncTypeBadge type={sync.syncType} />
          <SyncStatusBadge status={sync.status} />
        </h1>
        <dl className="mt-2 flex flex-wrap gap-x-6 gap-y-1 text-sm text-slate-700">
          <div className="flex gap-1">
            <dt className="text-slate-600">Started</dt>
            <dd>
              <RelativeTime iso={sync.startedAt ?? sync.createdAt} />
            </dd>
          </div>
          <div className="flex gap-1">
            <dt className="text-slate-600">{live ? 'Running for' : 'Took'}</dt>
            <dd className="tabular-nums">{took === null ? '—' : formatDuration(took)}</dd>
          </div>
          <div className="flex gap-1">
            <dt className="text-slate-600">Triggered by</dt>
            <dd>
              {sync.triggeredBy}
              {sync.requestedBy ? ` (${sync.requestedBy})` : ''}
            </dd>
          </div>
          <div className="flex gap-1">
            <dt className="text-slate-600">Clinic</dt>
            <dd>
              <Link href={clinicPath(sync.clinicId)} className={LINK_CLASS}>
                {clinicName}
              </Link>
            </dd>
          </div>
          {sync.retryOf && (
            <div className="flex gap-1">
              <dt className="text-slate-600">Retry of</dt>
              <dd>
                <Link href={syncPath(sync.retryOf)} className={LINK_CLASS}>
                  {sync.retryOf.slice(0, 8)}
                </Link>
              </dd>
            </div>
          )}
        </dl>
      </div>

      {error && (
        <Notice tone={sync.status === 'failed' ? 'error' : 'warning'} testId="sync-error">
          {error}
        </Notice>
      )}
      {held.map((p) => (
        <HeldPhaseNotice key={p.name} sync={sync} phase={p} />
      ))}

      <Timeline sync={sync} now={now} />

      <Panel title="Phases" description="What each phase found and changed." testId="sync-phases">
        <ol className="grid gap-3 lg:grid-cols-2">
          {plannedPhases(sync).map((name, i) => (
            <PhaseCard key={name} index={i} name={name} phase={sync.phases.find((p) => p.name === name)} now={now} title="h3" />
          ))}
        </ol>
      </Panel>

      <dl className="flex flex-wrap gap-x-6 gap-y-1 text-xs text-slate-600">
        <div className="flex gap-1">
          <dt>Sync id</dt>
          <dd className="font-mono text-slate-800">{sync.id}</dd>
        </div>
        <div className="flex gap-1">
          <dt>Queued</dt>
          <dd className="text-slate-800">{formatExact(sync.createdAt)}</dd>
        </div>
        {Object.entries(sync.options)
          .filter(([, v]) => typeof v !== 'object')
          .map(([k, v]) => (
            <div key={k} className="flex gap-1">
              <dt>{humanizeKey(k)}</dt>
              <dd className="text-slate-800">{String(v)}</dd>
            </div>
          ))}
      </dl>
    </div>
  );
}

function Timeline({ sync, now }: { sync: SyncAuditView; now: number }) {
  const t = syncTimeline(sync, sync.phases, now);
  const bars = new Map(t.bars.map((b) => [b.name, b]));
  return (
    <Panel title="Timeline" description="Each phase on one time axis from the start of the sync; lengths are to scale." testId="sync-timeline">
      {t.bars.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="timeline-empty">
          {sync.status === 'queued' ? 'Waiting for a worker: no phase has started yet.' : 'No phase ran.'}
        </p>
      ) : (
        <div>
          <ol className="space-y-2">
            {plannedPhases(sync).map((name) => {
              const b = bars.get(name);
              return (
                <li key={name} className="grid grid-cols-[10rem_minmax(0,1fr)] items-center gap-3" data-testid="timeline-phase" data-phase={name}>
                  <span className="text-sm font-medium text-slate-800">{PHASE_LABEL[name]}</span>
                  <div className="relative h-7 rounded bg-slate-100">
                    {b ? (
                      <div
                        className={`absolute inset-y-0 rounded ${BAR_CLASS[b.status as PhaseStatusValue] ?? 'bg-slate-400'}`}
                        style={{ left: `${b.left}%`, width: `${b.width}%` }}
                        data-testid="timeline-bar"
                        data-status={b.status}
                        data-left={b.left.toFixed(3)}
                        data-width={b.width.toFixed(3)}
                        data-duration-ms={b.durationMs}
                        title={`${PHASE_LABEL[name]}: ${b.status}, ${formatDuration(b.durationMs)}`}
                      />
                    ) : null}
                    <span className="sr-only">
                      {b ? `${b.status}, ${formatDuration(b.durationMs)}${b.open ? ' so far' : ''}` : 'not run'}
                    </span>
                  </div>
                </li>
              );
            })}
          </ol>
          <div className="mt-1 grid grid-cols-[10rem_minmax(0,1fr)] gap-3" aria-hidden="true">
            <span />
            <div className="relative h-5 text-[11px] text-slate-600">
              {t.ticks.map((ms, i) => (
                <span
                  key={i}
                  className="absolute top-0 -translate-x-1/2 whitespace-nowrap tabular-nums first:translate-x-0 last:-translate-x-full"
                  style={{ left: `${(ms / t.totalMs) * 100}%` }}
                >
                  {ms === 0 ? '0s' : formatDuration(ms)}
                </span>
              ))}
            </div>
          </div>
        </div>
      )}
    </Panel>
  );
}

function HeldPhaseNotice({ sync, phase }: { sync: SyncAuditView; phase: SyncAuditView['phases'][number] }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const windowDays = phase.name === 'reconciliation' ? (sync.options.reconciliationDays as number | undefined) : undefined;
  const { text, canApply } = heldExplanation(phase, windowDays);
  const rerun = api.admin.sync.rerunWithMassDelete.useMutation({
    onSuccess: ({ syncId }) => {
      setOpen(false);
      router.push(syncPath(syncId));
    },
  });
  const held = phase.stats.heldDeletes ?? 0;
  const what = phase.name === 'forward_inbound' ? 'upcoming appointments from the schedule' : 'cases';
  const rerunAs = sync.syncType === 'reconciliation' ? 'Reconciliation' : 'Full Sync';
  return (
    <section aria-labelledby={`held-${phase.name}`} className="rounded-xl border border-orange-300 bg-orange-50 p-5" data-testid="held-phase" data-phase={phase.name}>
      <h2 id={`held-${phase.name}`} className="text-base font-semibold text-orange-950">
        {PHASE_LABEL[phase.name]} held {held} {held === 1 ? 'deletion' : 'deletions'}
      </h2>
      <p className="mt-1 text-sm leading-6 text-orange-950" data-testid="held-explanation">
        {text}
      </p>
      {canApply && (
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <ConfirmDialog
            open={open}
            onOpenChange={setOpen}
            trigger={
              <button type="button" className={DANGER_BUTTON}>
                Re-run allowing deletes
              </button>
            }
            title={`Delete ${held} ${what}?`}
            description={
              <>
                <p>
                  A new {rerunAs} of this clinic runs with <code className="font-mono">allowMassDelete</code>: the safety guard is off for it, so the {held} {what} that are gone from the
                  PIMS are marked removed (soft-deleted). They can come back if the PIMS shows them again.
                </p>
                <p>Only go on if the appointments were really removed in the PIMS.</p>
                {rerun.isError && (
                  <p role="alert" className="font-medium text-red-800">
                    {rerun.error.message}
                  </p>
                )}
              </>
            }
            confirmLabel="Re-run and delete"
            pending={rerun.isPending}
            onConfirm={() => rerun.mutate({ syncId: sync.id })}
          />
          <span className="text-sm text-orange-950">Starts a new {rerunAs}; this one stays as it is.</span>
        </div>
      )}
    </section>
  );
}
