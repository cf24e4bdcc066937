import type { Metadata } from 'next';
import { SyncDashboard } from '@/components/admin/sync/sync-dashboard';
import { AdminShell } from '../_shell/admin-shell';

export const metadata: Metadata = { title: 'Sync' };
export const dynamic = 'force-dynamic';

export default function AdminSyncPage() {
  return (
    <AdminShell
      path="/dashboard/admin/sync"
      title="Clinic sync"
      description="Pull appointments and consultations from each clinic's PIMS, watch running syncs and review past ones."
    >
      <SyncDashboard />
    </AdminShell>
  );
}
