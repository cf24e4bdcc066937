'use client';

import { PHASE_DESCRIPTION, PHASE_LABEL } from '@pims/sync-contracts';
import { durationBetween, formatDuration } from '@/components/ui/time';
import { PhaseStatusBadge } from './sync-badges';
import { humanizeKey, type PhaseNameValue, type SyncAuditView } from './sync-labels';

/**
 * One phase of a sync: its name and purpose, how long it took, its status, its stats and its error.
 * The history's expanded row and the sync's own page show the same card (`title` is the element of
 * its name: a heading on the sync's page, a paragraph inside a table row).
 */
export function PhaseCard({
  index,
  name,
  phase,
  now,
  title: Title = 'p',
}: {
  index: number;
  name: PhaseNameValue;
  phase: SyncAuditView['phases'][number] | undefined;
  /** The clock a running phase's duration is measured to (left out: to its completion only). */
  now?: number;
  title?: 'h3' | 'p';
}) {
  const stats = Object.entries(phase?.stats ?? {});
  const took = phase ? durationBetween(phase.startedAt, phase.completedAt, phase.status === 'running' ? now : undefined) : null;
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-3" data-testid="sync-phase" data-phase={name}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <Title className="text-sm font-semibold text-slate-900">
            {index + 1}. {PHASE_LABEL[name]}
          </Title>
          <p className="text-xs text-slate-600">{PHASE_DESCRIPTION[name]}</p>
        </div>
        <div className="flex items-center gap-2 text-xs text-slate-600">
          {took !== null && <span className="tabular-nums">{formatDuration(took)}</span>}
          <PhaseStatusBadge status={phase?.status ?? 'pending'} />
        </div>
      </div>
      {stats.length > 0 ? (
        <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-xs sm:grid-cols-3">
          {stats.map(([k, v]) => (
            <div key={k} className="flex justify-between gap-2 border-b border-dotted border-slate-200 py-0.5">
              <dt className="text-slate-600">{humanizeKey(k)}</dt>
              <dd className="font-medium tabular-nums text-slate-900">{v.toLocaleString('en-US')}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="mt-2 text-xs text-slate-600">{phase ? 'No stats recorded.' : 'Not run.'}</p>
      )}
      {phase?.error && (
        <p role="note" className="mt-2 rounded-md border border-red-200 bg-red-50 px-2.5 py-1.5 text-xs text-red-900" data-testid="phase-error">
          <span className="font-mono text-[11px] text-red-800">{phase.error.code}</span> {phase.error.message}
        </p>
      )}
    </li>
  );
}
