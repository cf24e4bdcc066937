import type { Metadata } from 'next';
import { ClinicHeader } from '@/components/admin/clinics/clinic-header';
import { ClinicOverview } from '@/components/admin/clinics/clinic-overview';
import { AdminShell } from '../../_shell/admin-shell';

export const metadata: Metadata = { title: 'Clinic' };
export const dynamic = 'force-dynamic';

export default async function ClinicPage(props: { params: Promise<{ clinicId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { clinicId } = await props.params;
  const { created } = await props.searchParams;
  return (
    <AdminShell path={`/dashboard/admin/clinics/${encodeURIComponent(clinicId)}`}>
      <ClinicHeader clinicId={clinicId} current="overview" />
      <ClinicOverview clinicId={clinicId} created={created === '1'} />
    </AdminShell>
  );
}
