import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { signOut } from '@/app/sign-in/actions';
import { AdminNav } from '@/components/admin/nav/admin-nav';
import { getCurrentSession } from '@/server/auth/current-session';
import { TRPCReactProvider } from '@/trpc/react';

/**
 * The frame of every admin page: the admin check (no valid admin session: to sign-in and back to
 * `path`), the header with the page navigation and sign-out, an optional page heading, and the
 * tRPC provider for the page's client components.
 */
export async function AdminShell(props: { path: string; title?: string; description?: ReactNode; children: ReactNode }) {
  const session = await getCurrentSession();
  // A non-admin token too goes to sign-in, which explains it.
  if (!session?.isAdmin) redirect(`/sign-in?next=${encodeURIComponent(props.path)}`);

  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-indigo-700 shadow focus:not-sr-only focus:fixed focus:left-3 focus:top-3"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-4 px-4 py-3 sm:px-6">
          <div className="flex items-center gap-6">
            <div className="flex items-center gap-3">
              <span aria-hidden="true" className="inline-flex size-8 items-center justify-center rounded-lg bg-indigo-600 text-sm font-bold text-white">
                P
              </span>
              <div>
                <p className="text-sm font-semibold text-slate-900">PIMS Sync</p>
                <p className="text-xs text-slate-600">Admin</p>
              </div>
            </div>
            <AdminNav />
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
      <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-8 focus:outline-none sm:px-6">
        {props.title && (
          <div className="mb-6">
            <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{props.title}</h1>
            {props.description && <p className="mt-1 text-sm text-slate-600">{props.description}</p>}
          </div>
        )}
        <TRPCReactProvider>{props.children}</TRPCReactProvider>
      </main>
    </div>
  );
}
