import type { Metadata } from 'next';
import { BookingsTable } from '@/components/admin/bookings/bookings-table';
import { ClinicHeader } from '@/components/admin/clinics/clinic-header';
import { AdminShell } from '../../../_shell/admin-shell';

export const metadata: Metadata = { title: 'Clinic bookings' };
export const dynamic = 'force-dynamic';

export default async function ClinicBookingsPage({ params }: { params: Promise<{ clinicId: string }> }) {
  const { clinicId } = await params;
  return (
    <AdminShell path={`/dashboard/admin/clinics/${encodeURIComponent(clinicId)}/bookings`}>
      <ClinicHeader clinicId={clinicId} current="bookings" />
      <BookingsTable clinicId={clinicId} />
    </AdminShell>
  );
}
