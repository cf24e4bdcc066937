'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { env } from '@/env';
import { safeNextPath } from '@/lib/safe-redirect';
import { authenticateAdmin, isAdminConfigured } from '@/server/auth/admin-account';
import { LoginThrottle } from '@/server/auth/login-throttle';
import { SESSION_COOKIE, signSessionToken } from '@/server/auth/session';

export interface SignInState {
  error?: string;
  fieldErrors?: { email?: string; password?: string };
  email?: string;
}

const SignInForm = z.object({
  email: z.string().trim().min(1, 'Enter your e-mail').max(320).pipe(z.email('Enter a valid e-mail')),
  password: z.string().min(1, 'Enter your password').max(1000),
  next: z.string().optional(),
});

const throttle = new LoginThrottle();

async function cookieIsSecure(): Promise<boolean> {
  const setting = env().AUTH_COOKIE_SECURE;
  if (setting !== 'auto') return setting === 'true';
  const h = await headers();
  const proto = h.get('x-forwarded-proto')?.split(',')[0]?.trim();
  return proto === 'https' || (h.get('origin') ?? '').startsWith('https://');
}

export async function signIn(_prev: SignInState, formData: FormData): Promise<SignInState> {
  const parsed = SignInForm.safeParse({
    email: formData.get('email') ?? '',
    password: formData.get('password') ?? '',
    next: formData.get('next') ?? undefined,
  });
  const email = String(formData.get('email') ?? '').slice(0, 320);
  if (!parsed.success) {
    const fieldErrors: SignInState['fieldErrors'] = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if ((field === 'email' || field === 'password') && !fieldErrors[field]) fieldErrors[field] = issue.message;
    }
    return { fieldErrors, email };
  }
  if (!(await isAdminConfigured())) {
    return { error: 'Sign-in is not configured on this server: set ADMIN_EMAIL and ADMIN_PASSWORD.', email };
  }
  const h = await headers();
  const client = h.get('x-forwarded-for')?.split(',')[0]?.trim() || h.get('x-real-ip') || 'local';
  const key = `${client}|${parsed.data.email.toLowerCase()}`;
  const wait = throttle.retryAfter(key);
  if (wait > 0) {
    return { error: `Too many failed attempts. Try again in ${Math.ceil(wait / 60_000)} min.`, email };
  }
  const user = await authenticateAdmin(parsed.data.email, parsed.data.password);
  if (!user) {
    throttle.fail(key);
    return { error: 'Invalid email or password.', email };
  }
  throttle.succeed(key);
  const e = env();
  const { token } = await signSessionToken(user, { secret: e.AUTH_JWT_SECRET, issuer: e.AUTH_JWT_ISSUER, ttlSeconds: e.AUTH_SESSION_TTL_SECONDS });
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: await cookieIsSecure(),
    path: '/',
    maxAge: e.AUTH_SESSION_TTL_SECONDS,
  });
  redirect(safeNextPath(parsed.data.next));
}

export async function signOut(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
  redirect('/sign-in');
}
