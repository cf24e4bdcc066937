'use client';

import Link from 'next/link';
import { Breadcrumbs } from '@/components/ui/controls';
import { api } from '@/trpc/react';
import { PROVIDER_LABEL, clinicPath } from './clinic-labels';

const TABS = [
  { tab: undefined, label: 'Overview & settings' },
  { tab: 'schedule', label: 'Schedule' },
  { tab: 'bookings', label: 'Bookings' },
] as const;

/** The heading of a clinic's pages: its name, PIMS and zone, and the tabs between its pages. */
export function ClinicHeader({ clinicId, current }: { clinicId: string; current: 'overview' | 'schedule' | 'bookings' }) {
  const clinic = api.admin.clinics.get.useQuery({ clinicId }, { staleTime: 10_000 });
  const name = clinic.data?.name ?? (clinic.isError ? 'Clinic' : 'Loading…');
  return (
    <div className="mb-6">
      <Breadcrumbs items={[{ href: '/dashboard/admin/clinics', label: 'Clinics' }, { label: clinic.data?.name ?? 'Clinic' }]} />
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900" data-testid="clinic-name">
        {name}
      </h1>
      {clinic.data && (
        <p className="mt-1 text-sm text-slate-600">
          {PROVIDER_LABEL[clinic.data.pimsProvider]} · {clinic.data.timezone}
        </p>
      )}
      {clinic.isError && (
        <p role="alert" className="mt-2 text-sm text-red-800">
          Could not load the clinic: {clinic.error.message}
        </p>
      )}
      <nav aria-label="Clinic pages" className="mt-4 border-b border-slate-200">
        <ul className="-mb-px flex gap-4 text-sm font-medium">
          {TABS.map((t) => {
            const here = (t.tab ?? 'overview') === current;
            return (
              <li key={t.label}>
                <Link
                  href={clinicPath(clinicId, t.tab)}
                  aria-current={here ? 'page' : undefined}
                  className={`inline-block border-b-2 px-1 pb-2 ${here ? 'border-indigo-600 text-indigo-800' : 'border-transparent text-slate-700 hover:border-slate-300 hover:text-slate-900'}`}
                >
                  {t.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
    </div>
  );
}
