import { PHASE_LABEL, phasesFor } from '@pims/sync-contracts';
import type { RouterOutputs } from '@/trpc/react';

export type SyncAuditView = RouterOutputs['admin']['sync']['getSyncHistory']['items'][number];
export type ClinicView = RouterOutputs['admin']['sync']['listClinics'][number];
export type SyncTypeValue = SyncAuditView['syncType'];
export type SyncStatusValue = SyncAuditView['status'];
export type PhaseNameValue = SyncAuditView['phases'][number]['name'];
export type PhaseStatusValue = SyncAuditView['phases'][number]['status'];

/**
 * The words (labels, phase names, the phase plan) come from @pims/sync-contracts, which is browser-safe;
 * what is only the dashboard's (badge colours, texts built from a sync) lives here.
 */

/** Badge colours: Full Sync purple; the individual operations in their own colours. */
export const SYNC_TYPE_BADGE: Record<SyncTypeValue, string> = {
  full: 'bg-purple-100 text-purple-800 ring-purple-600/20',
  inbound: 'bg-sky-100 text-sky-800 ring-sky-600/20',
  cases: 'bg-amber-100 text-amber-900 ring-amber-600/25',
  reconciliation: 'bg-teal-100 text-teal-800 ring-teal-600/20',
};

export const SYNC_STATUS_BADGE: Record<SyncStatusValue, string> = {
  queued: 'bg-slate-100 text-slate-700 ring-slate-500/20',
  in_progress: 'bg-blue-100 text-blue-800 ring-blue-600/20',
  completed: 'bg-emerald-100 text-emerald-800 ring-emerald-600/20',
  partial: 'bg-orange-100 text-orange-800 ring-orange-600/25',
  failed: 'bg-red-100 text-red-800 ring-red-600/20',
  cancelled: 'bg-zinc-200 text-zinc-700 ring-zinc-500/20',
};

export const PHASE_STATUS_BADGE: Record<PhaseStatusValue, string> = {
  pending: 'bg-slate-100 text-slate-600 ring-slate-500/20',
  running: 'bg-blue-100 text-blue-800 ring-blue-600/20',
  completed: 'bg-emerald-100 text-emerald-800 ring-emerald-600/20',
  failed: 'bg-red-100 text-red-800 ring-red-600/20',
  held: 'bg-orange-100 text-orange-800 ring-orange-600/25',
  skipped: 'bg-zinc-100 text-zinc-600 ring-zinc-500/20',
  cancelled: 'bg-zinc-200 text-zinc-700 ring-zinc-500/20',
};

/**
 * The phases a sync runs, in order: the contract's plan (`phasesFor`); once the service has recorded
 * at least as many phases, what it recorded wins.
 */
export function plannedPhases(sync: Pick<SyncAuditView, 'syncType' | 'options' | 'phases'>): PhaseNameValue[] {
  const planned = phasesFor(sync.syncType, sync.options.bidirectional !== false);
  const recorded = sync.phases.map((p) => p.name);
  return recorded.length >= planned.length ? recorded : planned;
}

/** "Phase 2 of 4: Case enrichment" for a running sync, or null while nothing runs yet. */
export function phaseProgressText(sync: Pick<SyncAuditView, 'syncType' | 'options' | 'phases' | 'currentPhase' | 'status'>): string | null {
  const current = sync.currentPhase ?? sync.phases.find((p) => p.status === 'running')?.name ?? null;
  if (!current) return null;
  const planned = plannedPhases(sync);
  const index = planned.indexOf(current);
  return `Phase ${index >= 0 ? index + 1 : '?'} of ${planned.length}: ${PHASE_LABEL[current]}`;
}

/** The message for the Error column: the sync's own message, else its first failed phase's. */
export function syncErrorText(sync: Pick<SyncAuditView, 'errorMessage' | 'phases' | 'status'>): string | null {
  if (sync.errorMessage) return sync.errorMessage;
  if (sync.status !== 'failed' && sync.status !== 'partial') return null;
  const phase = sync.phases.find((p) => p.error) ?? null;
  if (phase?.error) return `${PHASE_LABEL[phase.name]}: ${phase.error.message}`;
  const held = sync.phases.find((p) => p.status === 'held');
  if (held) return `${PHASE_LABEL[held.name]} held: ${held.stats.heldDeletes ?? 'some'} deletions need allowMassDelete`;
  return null;
}

/** "appointmentsFound" -> "Appointments found". */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function clinicLabel(sync: Pick<SyncAuditView, 'clinicId' | 'clinicName'>, clinics: Map<string, string>): string {
  return sync.clinicName ?? clinics.get(sync.clinicId) ?? `Clinic ${sync.clinicId.slice(0, 8)}`;
}
