'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { Button, LINK_CLASS, Notice, Panel, PRIMARY_BUTTON, QueryState } from '@/components/ui/controls';
import { RelativeTime, formatExact } from '@/components/ui/time';
import { formatInZone } from '@/lib/zoned-time';
import { api, trpcErrorCode } from '@/trpc/react';
import { SyncStatusBadge, SyncTypeBadge } from '../sync/sync-badges';
import { PROVIDER_LABEL, clinicPath, syncPath, type ClinicSettingsView } from './clinic-labels';
import { ClinicSettingsForms } from './clinic-settings-forms';

/** A clinic's page: where it stands (last sync, next nightly run), actions, and every setting. */
export function ClinicOverview({ clinicId, created }: { clinicId: string; created: boolean }) {
  // While the dispatcher has not planned the nightly run yet (a new clinic, a changed cron), ask more often.
  const clinic = api.admin.clinics.get.useQuery({ clinicId }, { refetchInterval: (q) => (q.state.data?.syncEnabled && !q.state.data.nextSyncAt ? 3_000 : 15_000) });
  return (
    <QueryState pending={clinic.isPending} error={clinic.isError && !clinic.data ? clinic.error : null} onRetry={() => clinic.refetch()} what="the clinic">
      {clinic.data && (
        <div className="space-y-6">
          {created && <Notice tone="success">Clinic added. Its nightly sync is planned; run a Full Sync now to fill its schedule.</Notice>}
          <StatusPanel clinic={clinic.data} />
          <ClinicSettingsForms clinic={clinic.data} />
        </div>
      )}
    </QueryState>
  );
}

function StatusPanel({ clinic }: { clinic: ClinicSettingsView }) {
  const utils = api.useUtils();
  const [syncId, setSyncId] = useState<string | null>(null);
  const [conflict, setConflict] = useState<{ message: string; activeSyncId: string | null } | null>(null);
  const trigger = api.admin.sync.triggerFullSync.useMutation({
    onMutate: () => setConflict(null),
    onSuccess: (r) => setSyncId(r.started[0]?.syncId ?? null),
    onError: (err) => {
      const activeSyncId = trpcErrorCode(err) === 'CONFLICT' ? ((err.data as { activeSyncId?: string | null } | undefined)?.activeSyncId ?? null) : null;
      setConflict({ message: err.message, activeSyncId });
    },
  });
  const running = api.admin.sync.getSync.useQuery(
    { syncId: syncId ?? '00000000-0000-4000-8000-000000000000' },
    {
      enabled: syncId !== null,
      refetchInterval: (q) => (q.state.data && !['queued', 'in_progress'].includes(q.state.data.status) ? false : 1_500),
    },
  );
  const done = running.data && !['queued', 'in_progress'].includes(running.data.status);
  useEffect(() => {
    if (!done) return;
    // The sync ended: its result is the clinic's last sync now, and its slots the schedule.
    void utils.admin.clinics.get.invalidate({ clinicId: clinic.id });
    void utils.admin.clinics.schedule.invalidate({ clinicId: clinic.id });
  }, [done, syncId, clinic.id, utils]);
  const test = api.admin.clinics.testConnection.useMutation();

  return (
    <Panel title="Status" description="The last sync, the next nightly run and the PIMS connection." testId="clinic-status">
      <dl className="grid gap-4 text-sm sm:grid-cols-3">
        <div>
          <dt className="font-medium text-slate-600">Last sync</dt>
          <dd className="mt-1" data-testid="clinic-last-sync">
            {clinic.lastSync ? (
              <div className="flex flex-wrap items-center gap-2">
                <SyncTypeBadge type={clinic.lastSync.syncType} />
                <SyncStatusBadge status={clinic.lastSync.status} />
                <Link href={syncPath(clinic.lastSync.id)} className={LINK_CLASS}>
                  <RelativeTime iso={clinic.lastSync.completedAt ?? clinic.lastSync.startedAt} />
                </Link>
              </div>
            ) : (
              <span className="text-slate-700">Never synced</span>
            )}
          </dd>
        </div>
        <div>
          <dt className="font-medium text-slate-600">Next nightly run</dt>
          <dd className="mt-1 text-slate-800" data-testid="clinic-next-sync">
            {!clinic.syncEnabled ? (
              'Nightly sync is off'
            ) : clinic.nextSyncAt ? (
              <>
                <RelativeTime iso={clinic.nextSyncAt} /> <span className="text-slate-600">({formatInZone(clinic.nextSyncAt, clinic.timezone)})</span>
              </>
            ) : (
              'Being planned (within a minute)'
            )}
          </dd>
        </div>
        <div>
          <dt className="font-medium text-slate-600">PIMS</dt>
          <dd className="mt-1 text-slate-800">
            {PROVIDER_LABEL[clinic.pimsProvider]} at <span className="break-all font-mono text-xs">{clinic.pims.baseUrl}</span>
          </dd>
        </div>
      </dl>
      <div className="mt-5 flex flex-wrap items-center gap-3">
        <Button
          className={PRIMARY_BUTTON}
          pending={trigger.isPending}
          disabled={trigger.isPending || (running.data ? !done : syncId !== null)}
          onClick={() => trigger.mutate({ clinicId: clinic.id, lookbackDays: clinic.backwardDays, forwardDays: clinic.forwardDays })}
        >
          Run Full Sync
        </Button>
        <Button pending={test.isPending} disabled={test.isPending} onClick={() => test.mutate({ clinicId: clinic.id })}>
          Test connection
        </Button>
        <Link href={clinicPath(clinic.id, 'schedule')} className={LINK_CLASS}>
          See the schedule
        </Link>
      </div>
      <div className="mt-4 space-y-3" aria-live="polite">
        {syncId && (
          <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="clinic-sync-progress" data-sync-id={syncId}>
            <span className="text-slate-700">Full Sync</span>
            {running.data ? <SyncStatusBadge status={running.data.status} /> : <span className="text-slate-600">queued</span>}
            {running.data?.completedAt && <span className="text-slate-600">ended {formatExact(running.data.completedAt)}</span>}
            <Link href={syncPath(syncId)} className={LINK_CLASS}>
              Sync details
            </Link>
          </div>
        )}
        {conflict && (
          <Notice tone={conflict.activeSyncId ? 'warning' : 'error'}>
            {conflict.message}
            {conflict.activeSyncId && (
              <>
                {' '}
                <Link href={syncPath(conflict.activeSyncId)} className="font-medium underline">
                  See the running sync
                </Link>
              </>
            )}
          </Notice>
        )}
        {test.data &&
          (test.data.ok ? (
            <Notice tone="success">Connected: {PROVIDER_LABEL[clinic.pimsProvider]} accepted the stored log-in.</Notice>
          ) : (
            <Notice tone="error">The connection failed: {test.data.error.message}</Notice>
          ))}
        {test.isError && <Notice tone="error">Could not test the connection: {test.error.message}</Notice>}
      </div>
    </Panel>
  );
}
