import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { revokedSessions, type RevokedSessions } from './revoked-sessions';

/**
 * Admin sessions are HS256 JWTs shaped like Supabase Auth access tokens, so a Supabase deployment
 * can hand the dashboard its own tokens by setting AUTH_JWT_SECRET to the project's JWT secret:
 *   { sub, email, role: "authenticated", aud: "authenticated", app_metadata: { role: "admin" }, exp, iat, ... }
 * Admin rights come only from `app_metadata.role` (which users cannot edit in Supabase), never from
 * `user_metadata`.
 *
 * Every token carries a session id (`session_id`, as Supabase's do, and the same value as `jti`);
 * signing out puts it on the revoked list (./revoked-sessions.ts) until the token expires, and a
 * token without one is refused, so that every accepted token can be revoked.
 */
export const SESSION_COOKIE = 'pims_admin_session';
export const JWT_AUDIENCE = 'authenticated';

export interface Session {
  /** The token's session id: what sign-out revokes. */
  sessionId: string;
  userId: string;
  email: string;
  isAdmin: boolean;
  expiresAt: Date;
}

export interface SessionKeyOptions {
  secret: string;
  issuer?: string;
  /** The revoked-session list to consult (default: this process's). */
  revoked?: RevokedSessions;
}

const key = (secret: string) => new TextEncoder().encode(secret);

export async function signSessionToken(
  user: { id: string; email: string },
  opts: SessionKeyOptions & { ttlSeconds: number; now?: Date; appRole?: string },
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const exp = iat + opts.ttlSeconds;
  const sessionId = randomUUID();
  const jwt = new SignJWT({
    email: user.email,
    phone: '',
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: iat }],
    session_id: sessionId,
    is_anonymous: false,
    app_metadata: { provider: 'email', providers: ['email'], role: opts.appRole ?? 'admin' },
    user_metadata: {},
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setJti(sessionId)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp);
  if (opts.issuer) jwt.setIssuer(opts.issuer);
  return { token: await jwt.sign(key(opts.secret)), expiresAt: new Date(exp * 1000) };
}

/** The session in a token, or null when the token is missing, malformed, forged, expired or signed out. */
export async function verifySessionToken(token: string | undefined | null, opts: SessionKeyOptions): Promise<Session | null> {
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, key(opts.secret), {
      algorithms: ['HS256'],
      audience: JWT_AUDIENCE,
      issuer: opts.issuer,
      requiredClaims: ['sub', 'exp'],
    });
    if (payload.role !== 'authenticated' || typeof payload.sub !== 'string') return null;
    const sessionId = typeof payload.session_id === 'string' && payload.session_id ? payload.session_id : payload.jti;
    if (typeof sessionId !== 'string' || !sessionId) return null;
    if ((opts.revoked ?? revokedSessions()).isRevoked(sessionId)) return null;
    const appMetadata = (payload.app_metadata ?? {}) as Record<string, unknown>;
    return {
      sessionId,
      userId: payload.sub,
      email: typeof payload.email === 'string' ? payload.email : '',
      isAdmin: appMetadata.role === 'admin',
      expiresAt: new Date((payload.exp as number) * 1000),
    };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return null;
    throw err;
  }
}

/**
 * Signs a session out: when `token` is valid, its session id is revoked until the token expires.
 * Answers whether there was a session to end.
 */
export async function revokeSessionToken(token: string | undefined | null, opts: SessionKeyOptions): Promise<boolean> {
  const session = await verifySessionToken(token, opts);
  if (!session) return false;
  (opts.revoked ?? revokedSessions()).revoke(session.sessionId, session.expiresAt);
  return true;
}

/** Reads one cookie from a Cookie header. */
export function readCookie(cookieHeader: string | null | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const raw = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

/** The session token of a request: the session cookie, or an `Authorization: Bearer` header. */
export function tokenFromHeaders(headers: Headers): string | undefined {
  const cookie = readCookie(headers.get('cookie'), SESSION_COOKIE);
  if (cookie) return cookie;
  const auth = headers.get('authorization');
  const m = auth?.match(/^Bearer\s+(\S+)$/i);
  return m?.[1];
}
