import type { PhaseName, PhaseStatus, SyncStatus, SyncType } from './api';

/**
 * The words people read for the contract's enums (the dashboard and the service's messages use
 * these), and the phase plan of each sync type. Browser-safe like the rest of this package.
 */

/** The order the dashboard offers and lists sync types in: Full Sync first. */
export const SYNC_TYPE_DISPLAY_ORDER: readonly SyncType[] = ['full', 'inbound', 'cases', 'reconciliation'];

export const SYNC_TYPE_LABEL: Readonly<Record<SyncType, string>> = {
  full: 'Full Sync',
  inbound: 'Inbound',
  cases: 'Cases',
  reconciliation: 'Reconciliation',
};

export const SYNC_STATUS_LABEL: Readonly<Record<SyncStatus, string>> = {
  queued: 'queued',
  in_progress: 'running',
  completed: 'completed',
  partial: 'partial',
  failed: 'failed',
  cancelled: 'cancelled',
};

export const PHASE_LABEL: Readonly<Record<PhaseName, string>> = {
  backward_inbound: 'Backward inbound',
  case_enrichment: 'Case enrichment',
  forward_inbound: 'Forward inbound',
  reconciliation: 'Reconciliation',
};

export const PHASE_DESCRIPTION: Readonly<Record<PhaseName, string>> = {
  backward_inbound: 'Past appointments into cases',
  case_enrichment: 'Consultation notes onto cases',
  forward_inbound: 'Upcoming appointments into schedule slots',
  reconciliation: 'Cases removed from or changed in the PIMS',
};

export const PHASE_STATUS_LABEL: Readonly<Record<PhaseStatus, string>> = {
  pending: 'pending',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  held: 'held',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/**
 * The phases a sync of this type runs, in order (CONTRACT sections 2 and 3): a full sync runs all
 * four, and without its backward phase when `bidirectional` is false.
 */
export function phasesFor(syncType: SyncType, bidirectional = true): PhaseName[] {
  switch (syncType) {
    case 'full':
      return bidirectional
        ? ['backward_inbound', 'case_enrichment', 'forward_inbound', 'reconciliation']
        : ['forward_inbound', 'case_enrichment', 'reconciliation'];
    case 'inbound':
      return ['forward_inbound'];
    case 'cases':
      return ['case_enrichment'];
    case 'reconciliation':
      return ['reconciliation'];
  }
}
