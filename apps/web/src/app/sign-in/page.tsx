import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { safeNextPath } from '@/lib/safe-redirect';
import { getCurrentSession } from '@/server/auth/current-session';
import { SignInForm } from './sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(typeof params.next === 'string' ? params.next : undefined);
  const session = await getCurrentSession();
  if (session?.isAdmin) redirect(next);
  const notice = session && !session.isAdmin ? 'You are signed in with an account that is not an admin. Sign in as an admin to continue.' : undefined;

  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center text-center">
          <span aria-hidden="true" className="mb-3 inline-flex size-11 items-center justify-center rounded-xl bg-indigo-600 text-lg font-bold text-white shadow-sm">
            P
          </span>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Sign in to PIMS Sync</h1>
          <p className="mt-1 text-sm text-slate-600">Admin access to the clinic sync dashboard</p>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          {notice && (
            <p role="status" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
              {notice}
            </p>
          )}
          <SignInForm next={next} />
        </div>
      </div>
    </main>
  );
}
