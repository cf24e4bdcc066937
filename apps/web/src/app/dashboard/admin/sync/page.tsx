import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SyncDashboard } from '@/components/admin/sync/sync-dashboard';
import { getCurrentSession } from '@/server/auth/current-session';
import { TRPCReactProvider } from '@/trpc/react';
import { signOut } from '@/app/sign-in/actions';

export const metadata: Metadata = { title: 'Sync' };
export const dynamic = 'force-dynamic';

const PATH = '/dashboard/admin/sync';

export default async function AdminSyncPage() {
  const session = await getCurrentSession();
  // No valid admin session: to sign-in (a non-admin token too, which the sign-in page explains).
  if (!session?.isAdmin) redirect(`/sign-in?next=${encodeURIComponent(PATH)}`);

  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center justify-between gap-4 px-4 py-3 sm:px-6">
          <div className="flex items-center gap-3">
            <span aria-hidden="true" className="inline-flex size-8 items-center justify-center rounded-lg bg-indigo-600 text-sm font-bold text-white">
              P
            </span>
            <div>
              <p className="text-sm font-semibold text-slate-900">PIMS Sync</p>
              <p className="text-xs text-slate-500">Admin</p>
            </div>
          </div>
          <div className="flex items-center gap-3 text-sm">
            <span className="hidden text-slate-600 sm:inline" data-testid="signed-in-as">
              {session.email}
            </span>
            <form action={signOut}>
              <button type="submit" className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-700 shadow-xs hover:bg-slate-50">
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
        <div className="mb-6">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Clinic sync</h1>
          <p className="mt-1 text-sm text-slate-600">
            Pull appointments and consultations from each clinic&apos;s IDEXX Neo, watch running syncs and review past ones.
          </p>
        </div>
        <TRPCReactProvider>
          <SyncDashboard />
        </TRPCReactProvider>
      </main>
    </div>
  );
}
