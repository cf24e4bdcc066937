import 'server-only';
import { cookies } from 'next/headers';
import { env } from '@/env';
import { SESSION_COOKIE, verifySessionToken, type Session } from './session';

/** The admin session of the current request (server components and actions), or null. */
export async function getCurrentSession(): Promise<Session | null> {
  const jar = await cookies();
  const { AUTH_JWT_SECRET, AUTH_JWT_ISSUER } = env();
  return verifySessionToken(jar.get(SESSION_COOKIE)?.value, { secret: AUTH_JWT_SECRET, issuer: AUTH_JWT_ISSUER });
}
