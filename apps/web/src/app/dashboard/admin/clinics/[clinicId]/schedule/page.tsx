import type { Metadata } from 'next';
import { ClinicHeader } from '@/components/admin/clinics/clinic-header';
import { ScheduleGrid } from '@/components/admin/schedule/schedule-grid';
import { AdminShell } from '../../../_shell/admin-shell';

export const metadata: Metadata = { title: 'Schedule' };
export const dynamic = 'force-dynamic';

export default async function ClinicSchedulePage({ params }: { params: Promise<{ clinicId: string }> }) {
  const { clinicId } = await params;
  return (
    <AdminShell path={`/dashboard/admin/clinics/${encodeURIComponent(clinicId)}/schedule`}>
      <ClinicHeader clinicId={clinicId} current="schedule" />
      <ScheduleGrid clinicId={clinicId} />
    </AdminShell>
  );
}
