import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvForTests } from '@/env';
import { authenticateAdmin, resetSeededAdminForTests } from './admin-account';
import { ACCOUNT_POLICY, ADDRESS_POLICY, LoginThrottle, backoffDelay } from './login-throttle';
import { checkSignIn, retryAfterText } from './sign-in';

/**
 * The sign-in throttle with an injected clock, driven through `checkSignIn` with real request
 * headers and the real seeded admin (scrypt and all). Only the attackers' bulk guesses, the
 * password "wrong", skip the scrypt work (~0.1 s each on a busy machine): that it is refused is
 * shown in auth.test.ts, and every other password here goes through `authenticateAdmin`.
 */
const ADMIN = 'boss@example.com';
const PASSWORD = 'the-right-password-1';

beforeAll(() => {
  process.env.ADMIN_EMAIL = ADMIN;
  process.env.ADMIN_PASSWORD = PASSWORD;
  resetEnvForTests();
  resetSeededAdminForTests();
});
afterAll(() => {
  delete process.env.ADMIN_EMAIL;
  delete process.env.ADMIN_PASSWORD;
  resetEnvForTests();
  resetSeededAdminForTests();
});

function setup(trustProxyHops: number) {
  const clock = { now: Date.UTC(2030, 0, 1) };
  const throttle = new LoginThrottle({ now: () => clock.now });
  const attempt = (email: string, password: string, xff?: string) =>
    checkSignIn(
      { email, password, headers: new Headers(xff ? { 'x-forwarded-for': xff } : {}) },
      { throttle, trustProxyHops, authenticate: (e, p) => (p === 'wrong' ? Promise.resolve(null) : authenticateAdmin(e, p)) },
    );
  return { clock, throttle, attempt };
}

/** Fails `n` times, each time waiting out whatever backoff the throttle asks for, so every one counts. */
async function failPatiently(s: ReturnType<typeof setup>, n: number, email: (i: number) => string, xff: (i: number) => string | undefined) {
  for (let i = 0; i < n; i++) {
    let r = await s.attempt(email(i), 'wrong', xff(i));
    if (!r.ok && r.reason === 'throttled') {
      s.clock.now += r.retryAfterMs;
      r = await s.attempt(email(i), 'wrong', xff(i));
    }
    expect(r).toEqual({ ok: false, reason: 'invalid' });
  }
}

describe('backoff policy', () => {
  it('grows 1 s, 2 s, 4 s ... after the free failures, capped', () => {
    const waits = Array.from({ length: 12 }, (_, i) => backoffDelay(ACCOUNT_POLICY, i));
    expect(waits).toEqual([0, 0, 0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(backoffDelay(ACCOUNT_POLICY, 10_000)).toBe(30_000);
    expect(backoffDelay(ADDRESS_POLICY, 30)).toBe(15 * 60_000);
    expect(retryAfterText(1)).toBe('1 s');
    expect(retryAfterText(30_000)).toBe('30 s');
    expect(retryAfterText(15 * 60_000)).toBe('15 min');
  });
});

describe('sign-in throttle', () => {
  it('without TRUST_PROXY, a fresh X-Forwarded-For does not reset the count', async () => {
    const s = setup(0);
    for (let i = 0; i < ACCOUNT_POLICY.freeFailures; i++) {
      expect(await s.attempt(ADMIN, 'wrong', `198.51.100.${i}`)).toEqual({ ok: false, reason: 'invalid' });
    }
    // A new header value, a new e-mail spelling: still the same account, still in backoff.
    expect(await s.attempt(ADMIN.toUpperCase(), 'wrong', '198.51.100.77')).toEqual({ ok: false, reason: 'throttled', retryAfterMs: 1_000 });
    expect(await s.attempt(ADMIN, PASSWORD, '10.9.9.9')).toMatchObject({ ok: false, reason: 'throttled' });
    // Other e-mails from "new" addresses share the one unknown-address counter: after its free
    // failures, spraying e-mails is slowed down too.
    const t = setup(0);
    await failPatiently(t, 10, (i) => `user${i}@example.com`, (i) => `203.0.113.${i}`);
    expect(await t.attempt('fresh@example.com', 'wrong', '192.0.2.200')).toMatchObject({ ok: false, reason: 'throttled' });
  });

  it('with TRUST_PROXY, the right-most hop is the address, and a forged left part changes nothing', async () => {
    const s = setup(1);
    await failPatiently(s, ADDRESS_POLICY.freeFailures, (i) => `user${i}@example.com`, (i) => `10.0.0.${i}, 203.0.113.5`);
    expect(await s.attempt('another@example.com', 'wrong', '10.0.0.99, 203.0.113.5')).toMatchObject({ ok: false, reason: 'throttled' });
    expect(await s.attempt('another@example.com', 'wrong', '203.0.113.6')).toEqual({ ok: false, reason: 'invalid' });
  });

  it.each([
    ['without TRUST_PROXY (every client in one bucket)', 0, undefined, undefined],
    ['with TRUST_PROXY (the attacker on another address)', 1, '203.0.113.66', '192.0.2.10'],
  ])('%s: the admin gets in at most the capped backoff after 50 failures of an attacker', async (_name, hops, attacker, admin) => {
    const s = setup(hops);
    await failPatiently(s, 50, () => ADMIN, () => attacker);
    // The attacker keeps hammering while in backoff: refused, and it does not lengthen the wait.
    for (let i = 0; i < 100; i++) expect((await s.attempt(ADMIN, 'wrong', attacker)).ok).toBe(false);
    const refused = await s.attempt(ADMIN, PASSWORD, admin);
    expect(refused).toMatchObject({ ok: false, reason: 'throttled' });
    expect(refused.ok === false && refused.reason === 'throttled' && refused.retryAfterMs).toBeLessThanOrEqual(ACCOUNT_POLICY.maxDelayMs);
    s.clock.now += ACCOUNT_POLICY.maxDelayMs;
    expect(await s.attempt(ADMIN, PASSWORD, admin)).toMatchObject({ ok: true, user: { email: ADMIN } });
    // Success forgets the account's failures (the shared unknown-address bucket only takes back
    // the admin's own attempt): a typo right after costs no wait.
    expect(await s.attempt(ADMIN, 'typo', admin)).toEqual({ ok: false, reason: 'invalid' });
  }, 120_000);

  it('with TRUST_PROXY, the limit per address holds across e-mails and is stricter than the account one', async () => {
    const s = setup(1);
    const attacker = '203.0.113.7';
    await failPatiently(s, 20, (i) => `victim${i}@example.com`, () => attacker);
    const r = await s.attempt('victim99@example.com', 'wrong', attacker);
    expect(r).toMatchObject({ ok: false, reason: 'throttled' });
    const wait = r.ok === false && r.reason === 'throttled' ? r.retryAfterMs : 0;
    expect(wait).toBeGreaterThan(ACCOUNT_POLICY.maxDelayMs);
    expect(wait).toBeLessThanOrEqual(ADDRESS_POLICY.maxDelayMs);
    // Just before the wait ends it still holds; the right password from that address too.
    s.clock.now += wait - 1;
    expect(await s.attempt(ADMIN, PASSWORD, attacker)).toMatchObject({ ok: false, reason: 'throttled' });
    // Another address is not affected, and neither is an IPv6 neighbour outside the /64.
    expect(await s.attempt(ADMIN, PASSWORD, '192.0.2.10')).toMatchObject({ ok: true });
    s.clock.now += 1;
    expect(await s.attempt('victim99@example.com', 'wrong', attacker)).toEqual({ ok: false, reason: 'invalid' });
  }, 60_000);

  it('IPv6 addresses count per /64', async () => {
    const s = setup(1);
    await failPatiently(s, ADDRESS_POLICY.freeFailures, (i) => `v${i}@example.com`, (i) => `2001:db8:1:2::${i + 1}`);
    expect(await s.attempt('w@example.com', 'wrong', '2001:db8:1:2:ffff::9')).toMatchObject({ ok: false, reason: 'throttled' });
    expect(await s.attempt('w@example.com', 'wrong', '2001:db8:1:3::1')).toEqual({ ok: false, reason: 'invalid' });
  }, 60_000);

  it('parallel guesses cannot slip past the check while the password is hashed', async () => {
    const s = setup(0);
    const results = await Promise.all(Array.from({ length: 12 }, () => s.attempt(ADMIN, 'not-it')));
    expect(results.filter((r) => r.ok === false && r.reason === 'invalid')).toHaveLength(ACCOUNT_POLICY.freeFailures);
    expect(results.filter((r) => r.ok === false && r.reason === 'throttled')).toHaveLength(12 - ACCOUNT_POLICY.freeFailures);
  });

  it('forgets an account after an hour without failures', async () => {
    const s = setup(0);
    await failPatiently(s, 8, () => ADMIN, () => undefined);
    s.clock.now += ACCOUNT_POLICY.forgetAfterMs;
    for (let i = 0; i < ACCOUNT_POLICY.freeFailures; i++) expect(await s.attempt(ADMIN, 'wrong')).toEqual({ ok: false, reason: 'invalid' });
  });
});
