import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { resetEnvForTests } from '@/env';
import { authenticateAdmin, resetSeededAdminForTests, stableUserId } from './admin-account';
import { LoginThrottle } from './login-throttle';
import { hashPassword, verifyPassword } from './password';
import { readCookie, signSessionToken, tokenFromHeaders, verifySessionToken } from './session';

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
    expect(expiresAt.getTime()).toBe(claims.exp! * 1000);
    const session = await verifySessionToken(token, { secret: SECRET, issuer: 'https://x.supabase.co/auth/v1' });
    expect(session).toMatchObject({ userId: 'u-1', email: 'a@example.com', isAdmin: true });
    expect(await verifySessionToken(token, { secret: SECRET, issuer: 'https://other/auth/v1' })).toBeNull();
  });

  it('grant admin only through app_metadata.role', async () => {
    const { token } = await signSessionToken({ id: 'u-2', email: 'b@example.com' }, { secret: SECRET, ttlSeconds: 60, appRole: 'staff' });
    expect(await verifySessionToken(token, { secret: SECRET })).toMatchObject({ isAdmin: false });
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

describe('login throttle', () => {
  it('locks a key after repeated failures until the window ends', () => {
    let now = 0;
    const t = new LoginThrottle(3, 1000, () => now);
    for (let i = 0; i < 3; i++) t.fail('k');
    expect(t.retryAfter('k')).toBe(1000);
    expect(t.retryAfter('other')).toBe(0);
    now = 1000;
    expect(t.retryAfter('k')).toBe(0);
  });
});
