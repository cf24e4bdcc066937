import type { Metadata } from 'next';
import { ClinicsList } from '@/components/admin/clinics/clinics-list';
import { AdminShell } from '../_shell/admin-shell';

export const metadata: Metadata = { title: 'Clinics' };
export const dynamic = 'force-dynamic';

export default function ClinicsPage() {
  return (
    <AdminShell path="/dashboard/admin/clinics" title="Clinics" description="The clinics PIMS Sync keeps in step with their PIMS.">
      <ClinicsList />
    </AdminShell>
  );
}
