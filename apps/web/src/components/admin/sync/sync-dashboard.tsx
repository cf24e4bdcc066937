'use client';

import { useCallback, useMemo } from 'react';
import { api } from '@/trpc/react';
import { ActiveSyncOperations } from './active-sync-operations';
import { SyncHistoryTable } from './sync-history-table';
import { SyncTriggerPanel } from './sync-trigger-panel';

/** The /dashboard/admin/sync page body: trigger panel, live active operations, history. */
export function SyncDashboard() {
  const utils = api.useUtils();
  const clinics = api.admin.sync.listClinics.useQuery(undefined, { staleTime: 30_000 });
  const clinicNames = useMemo(() => new Map((clinics.data ?? []).map((c) => [c.id, c.name])), [clinics.data]);

  const onTriggered = useCallback(() => {
    void utils.admin.sync.getActiveSyncs.invalidate();
    void utils.admin.sync.getSyncHistory.invalidate();
  }, [utils]);

  // A sync ended: its final row (status, counts, phases) belongs in the history now.
  const onSyncsEnded = useCallback(() => {
    void utils.admin.sync.getSyncHistory.invalidate();
    void utils.admin.sync.listClinics.invalidate();
  }, [utils]);

  return (
    <div className="space-y-6">
      <div className="grid items-start gap-6 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <SyncTriggerPanel
          clinics={clinics.data}
          clinicsLoading={clinics.isPending}
          clinicsError={clinics.isError ? clinics.error.message : null}
          onTriggered={onTriggered}
        />
        <ActiveSyncOperations clinics={clinicNames} onSyncsEnded={onSyncsEnded} />
      </div>
      <SyncHistoryTable clinics={clinics.data} clinicNames={clinicNames} />
    </div>
  );
}
