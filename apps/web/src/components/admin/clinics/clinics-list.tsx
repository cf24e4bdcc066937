'use client';

import Link from 'next/link';
import { Notice, PRIMARY_BUTTON, QueryState, LINK_CLASS } from '@/components/ui/controls';
import { RelativeTime } from '@/components/ui/time';
import { api } from '@/trpc/react';
import { SyncStatusBadge, SyncTypeBadge } from '../sync/sync-badges';
import { PROVIDER_LABEL, clinicPath, syncPath, type ClinicListItemView } from './clinic-labels';

/** /dashboard/admin/clinics: every clinic with its PIMS, zone, last sync and next nightly run. */
export function ClinicsList({ created }: { created?: string | null }) {
  const clinics = api.admin.clinics.list.useQuery(undefined, {
    // A clinic whose nightly run is not planned yet is planned within seconds: ask more often until then.
    refetchInterval: (q) => (q.state.data?.some((c) => c.settings?.syncEnabled && !c.settings.nextSyncAt) ? 3_000 : 15_000),
  });
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-600">Each clinic syncs every night at its own time, in its own time zone.</p>
        <Link href="/dashboard/admin/clinics/new" className={PRIMARY_BUTTON}>
          Add clinic
        </Link>
      </div>
      {created && <Notice tone="success">Clinic added.</Notice>}
      <section aria-labelledby="clinics-title" className="rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="clinics-list">
        <h2 id="clinics-title" className="sr-only">
          Clinics
        </h2>
        <div className="px-5">
          <QueryState pending={clinics.isPending} error={clinics.isError && !clinics.data ? clinics.error : null} onRetry={() => clinics.refetch()} what="the clinics">
            {clinics.data && clinics.data.length === 0 ? (
              <div className="py-10 text-center text-sm text-slate-600" data-testid="clinics-empty">
                <p>No clinics yet.</p>
                <Link href="/dashboard/admin/clinics/new" className={`mt-2 inline-block ${LINK_CLASS}`}>
                  Add the first clinic
                </Link>
              </div>
            ) : (
              <div className="-mx-5 overflow-x-auto">
                <table className="min-w-full divide-y divide-slate-200 text-sm">
                  <caption className="sr-only">Clinics</caption>
                  <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                    <tr>
                      <th scope="col" className="px-5 py-2.5">Clinic</th>
                      <th scope="col" className="px-3 py-2.5">PIMS</th>
                      <th scope="col" className="px-3 py-2.5">Time zone</th>
                      <th scope="col" className="px-3 py-2.5">Last sync</th>
                      <th scope="col" className="px-3 py-2.5">Next nightly run</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {clinics.data?.map((c) => <ClinicRow key={c.id} clinic={c} />)}
                  </tbody>
                </table>
              </div>
            )}
          </QueryState>
        </div>
      </section>
    </div>
  );
}

function ClinicRow({ clinic }: { clinic: ClinicListItemView }) {
  const s = clinic.settings;
  return (
    <tr data-testid="clinic-row" data-clinic-id={clinic.id} className="hover:bg-slate-50">
      <th scope="row" className="px-5 py-3 text-left font-medium text-slate-900">
        <Link href={clinicPath(clinic.id)} className={LINK_CLASS}>
          {clinic.name}
        </Link>
      </th>
      <td className="px-3 py-3 text-slate-700">{PROVIDER_LABEL[clinic.pimsProvider]}</td>
      <td className="px-3 py-3 text-slate-700">{clinic.timezone}</td>
      <td className="px-3 py-3" data-testid="clinic-last-sync">
        {clinic.lastSync ? (
          <div className="flex flex-wrap items-center gap-2">
            <SyncTypeBadge type={clinic.lastSync.syncType} />
            <SyncStatusBadge status={clinic.lastSync.status} />
            <Link href={syncPath(clinic.lastSync.id)} className={`text-xs ${LINK_CLASS}`} aria-label={`Last sync of ${clinic.name}, details`}>
              <RelativeTime iso={clinic.lastSync.completedAt ?? clinic.lastSync.startedAt} />
            </Link>
          </div>
        ) : (
          <span className="text-slate-600">Never synced</span>
        )}
      </td>
      <td className="px-3 py-3 text-slate-700" data-testid="clinic-next-sync">
        {!s ? '—' : !s.syncEnabled ? <span className="text-slate-600">Nightly sync off</span> : s.nextSyncAt ? <RelativeTime iso={s.nextSyncAt} /> : <span className="text-slate-600">Being planned</span>}
      </td>
    </tr>
  );
}
