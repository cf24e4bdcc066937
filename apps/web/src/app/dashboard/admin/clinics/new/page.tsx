import type { Metadata } from 'next';
import { ClinicCreateForm } from '@/components/admin/clinics/clinic-create-form';
import { AdminShell } from '../../_shell/admin-shell';

export const metadata: Metadata = { title: 'Add clinic' };
export const dynamic = 'force-dynamic';

export default function NewClinicPage() {
  return (
    <AdminShell path="/dashboard/admin/clinics/new" title="Add clinic" description="Register a clinic and its PIMS log-in. Registering starts no sync; it plans the nightly one.">
      <ClinicCreateForm />
    </AdminShell>
  );
}
