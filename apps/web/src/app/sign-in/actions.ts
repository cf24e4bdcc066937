'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { env } from '@/env';
import { safeNextPath } from '@/lib/safe-redirect';
import { isAdminConfigured } from '@/server/auth/admin-account';
import { SESSION_COOKIE, revokeSessionToken, signSessionToken } from '@/server/auth/session';
import { checkSignIn, loginThrottle, retryAfterText } from '@/server/auth/sign-in';
import { isCrossOrigin } from '@/server/http/forwarded';

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

async function cookieIsSecure(): Promise<boolean> {
  const setting = env().AUTH_COOKIE_SECURE;
  if (setting !== 'auto') return setting === 'true';
  const h = await headers();
  // Next fills x-forwarded-proto in itself when the client sent none; a client that claims https
  // over plain http only gets a cookie its browser will not send back.
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
  // Next checks a server action's Origin against the host only (and believes X-Forwarded-Host);
  // this compares the full origin and believes forwarded headers only with TRUST_PROXY.
  if (isCrossOrigin(h, env().TRUST_PROXY)) {
    return { error: 'This sign-in came from another site and was refused.', email };
  }
  const check = await checkSignIn(
    { email: parsed.data.email, password: parsed.data.password, headers: h },
    { throttle: loginThrottle(), trustProxyHops: env().TRUST_PROXY },
  );
  if (!check.ok) {
    return check.reason === 'throttled'
      ? { error: `Too many failed attempts. Try again in ${retryAfterText(check.retryAfterMs)}.`, email }
      : { error: 'Invalid email or password.', email };
  }
  const user = check.user;
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

/** Ends the session: its token is revoked (refused from now on, wherever it is replayed), the cookie dropped. */
export async function signOut(): Promise<void> {
  const e = env();
  if (isCrossOrigin(await headers(), e.TRUST_PROXY)) redirect('/');
  const jar = await cookies();
  await revokeSessionToken(jar.get(SESSION_COOKIE)?.value, { secret: e.AUTH_JWT_SECRET, issuer: e.AUTH_JWT_ISSUER });
  jar.delete(SESSION_COOKIE);
  redirect('/sign-in');
}
