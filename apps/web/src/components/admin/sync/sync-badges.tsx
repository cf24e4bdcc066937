import { PHASE_STATUS_LABEL, SYNC_STATUS_LABEL, SYNC_TYPE_LABEL } from '@pims/sync-contracts';
import { Badge } from '@/components/ui/badge';
import {
  PHASE_STATUS_BADGE,
  SYNC_STATUS_BADGE,
  SYNC_TYPE_BADGE,
  type PhaseStatusValue,
  type SyncStatusValue,
  type SyncTypeValue,
} from './sync-labels';

export function SyncTypeBadge({ type }: { type: SyncTypeValue }) {
  return (
    <Badge className={SYNC_TYPE_BADGE[type]} data-testid="sync-type-badge" data-sync-type={type}>
      {SYNC_TYPE_LABEL[type]}
    </Badge>
  );
}

export function SyncStatusBadge({ status }: { status: SyncStatusValue }) {
  return (
    <Badge className={SYNC_STATUS_BADGE[status]} data-testid="sync-status-badge" data-status={status}>
      {(status === 'in_progress' || status === 'queued') && (
        <span aria-hidden="true" className={`mr-1.5 size-1.5 rounded-full ${status === 'in_progress' ? 'animate-pulse bg-blue-500' : 'bg-slate-400'}`} />
      )}
      {SYNC_STATUS_LABEL[status]}
    </Badge>
  );
}

export function PhaseStatusBadge({ status }: { status: PhaseStatusValue }) {
  return (
    <Badge className={PHASE_STATUS_BADGE[status]} data-testid="phase-status-badge" data-status={status}>
      {PHASE_STATUS_LABEL[status]}
    </Badge>
  );
}
