import type { Metadata } from 'next';
import { SyncDetail } from '@/components/admin/sync/sync-detail';
import { AdminShell } from '../../_shell/admin-shell';

export const metadata: Metadata = { title: 'Sync details' };
export const dynamic = 'force-dynamic';

export default async function SyncDetailPage({ params }: { params: Promise<{ syncId: string }> }) {
  const { syncId } = await params;
  return (
    <AdminShell path={`/dashboard/admin/sync/${encodeURIComponent(syncId)}`}>
      <SyncDetail syncId={syncId} />
    </AdminShell>
  );
}
