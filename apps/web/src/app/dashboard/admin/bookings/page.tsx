import type { Metadata } from 'next';
import { BookingsTable } from '@/components/admin/bookings/bookings-table';
import { AdminShell } from '../_shell/admin-shell';

export const metadata: Metadata = { title: 'Bookings' };
export const dynamic = 'force-dynamic';

export default function BookingsPage() {
  return (
    <AdminShell path="/dashboard/admin/bookings" title="Bookings" description="What the voice assistant and the booking API booked, and whether it reached each clinic's PIMS.">
      <BookingsTable />
    </AdminShell>
  );
}
