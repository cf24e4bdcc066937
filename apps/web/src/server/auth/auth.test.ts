import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { resetEnvForTests } from '@/env';
import { authenticateAdmin, resetSeededAdminForTests, stableUserId } from './admin-account';
import { hashPassword, verifyPassword } from './password';
import { RevokedSessions } from './revoked-sessions';
import { readCookie, revokeSessionToken, signSessionToken, tokenFromHeaders, verifySessionToken } from './session';

const SECRET = 'auth-test-secret-that-is-long-enough-0123456789';

describe('session tokens', () => {
  it('are HS256 JWTs shaped like Supabase Auth access tokens', async () => {
    const { token, expiresAt } = await signSessionToken({ id: 'u-1', email: 'a@example.com' }, { secret: SECRET, ttlSeconds: 3600, issuer: 'https://x.supabase.co/auth/v1' });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      sub: 'u-1',
      email: 'a@example.com',
      role: 'authenticated',
      aud: 'authenticated',
      iss: 'https://x.supabase.co/auth/v1',
      app_metadata: { role: 'admin', provider: 'email' },
    });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims.jti).toBe(claims.session_id);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(expiresAt.getTime()).toBe(claims.exp! * 1000);
    const session = await verifySessionToken(token, { secret: SECRET, issuer: 'https://x.supabase.co/auth/v1' });
    expect(session).toMatchObject({ userId: 'u-1', email: 'a@example.com', isAdmin: true });
    expect(await verifySessionToken(token, { secret: SECRET, issuer: 'https://other/auth/v1' })).toBeNull();
  });

  it('grant admin only through app_metadata.role', async () => {
    const { token } = await signSessionToken({ id: 'u-2', email: 'b@example.com' }, { secret: SECRET, ttlSeconds: 60, appRole: 'staff' });
    expect(await verifySessionToken(token, { secret: SECRET })).toMatchObject({ isAdmin: false });
  });

  it('signed out, are refused until they expire (revoked by session id)', async () => {
    let now = Date.now();
    const revoked = new RevokedSessions(() => now);
    const opts = { secret: SECRET, revoked };
    const { token } = await signSessionToken({ id: 'u-3', email: 'c@example.com' }, { secret: SECRET, ttlSeconds: 600 });
    const { token: other } = await signSessionToken({ id: 'u-3', email: 'c@example.com' }, { secret: SECRET, ttlSeconds: 600 });
    const session = await verifySessionToken(token, opts);
    expect(session?.sessionId).toBe(decodeJwt(token).session_id);

    expect(await revokeSessionToken(token, opts)).toBe(true);
    expect(await verifySessionToken(token, opts)).toBeNull();
    // Another session of the same admin is untouched.
    expect(await verifySessionToken(other, opts)).toMatchObject({ userId: 'u-3' });
    // A forged or garbage token revokes nothing.
    expect(await revokeSessionToken('not.a.token', opts)).toBe(false);
    expect(revoked.size).toBe(1);
    // The entry lives until the token's own expiry, then goes.
    now = session!.expiresAt.getTime() + 1;
    expect(revoked.isRevoked(session!.sessionId)).toBe(false);
    expect(revoked.size).toBe(0);
  });

  it('without a session id are refused (they could not be signed out)', async () => {
    const bare = await new SignJWT({ email: 'd@example.com', role: 'authenticated', app_metadata: { role: 'admin' } })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('u-4')
      .setAudience('authenticated')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(SECRET));
    expect(await verifySessionToken(bare, { secret: SECRET, revoked: new RevokedSessions() })).toBeNull();
  });

  it('are read from the cookie or a bearer header', () => {
    expect(readCookie('a=1; pims_admin_session=abc.def; b=2', 'pims_admin_session')).toBe('abc.def');
    expect(tokenFromHeaders(new Headers({ authorization: 'Bearer t0k' }))).toBe('t0k');
    expect(tokenFromHeaders(new Headers())).toBeUndefined();
  });
});

describe('passwords', () => {
  it('scrypt hashes verify the right password only', async () => {
    const stored = await hashPassword('Correct Horse 1!');
    expect(await verifyPassword('Correct Horse 1!', stored)).toBe(true);
    expect(await verifyPassword('correct horse 1!', stored)).toBe(false);
    expect((await hashPassword('Correct Horse 1!')).hash.equals(stored.hash)).toBe(false);
  });

  afterEach(() => {
    delete process.env.ADMIN_EMAIL;
    delete process.env.ADMIN_PASSWORD;
    resetEnvForTests();
    resetSeededAdminForTests();
  });

  it('the seeded admin signs in with ADMIN_EMAIL / ADMIN_PASSWORD (e-mail case-insensitive)', async () => {
    process.env.ADMIN_EMAIL = 'Boss@Example.com';
    process.env.ADMIN_PASSWORD = 's3cret-pass';
    resetEnvForTests();
    resetSeededAdminForTests();
    expect(await authenticateAdmin('boss@example.com', 's3cret-pass')).toEqual({ id: stableUserId('boss@example.com'), email: 'boss@example.com' });
    expect(await authenticateAdmin('boss@example.com', 'wrong')).toBeNull();
    expect(await authenticateAdmin('other@example.com', 's3cret-pass')).toBeNull();
  });

  it('nobody signs in when no ADMIN_PASSWORD is set', async () => {
    resetEnvForTests();
    resetSeededAdminForTests();
    expect(await authenticateAdmin('admin@example.com', '')).toBeNull();
  });
});
