import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetEnvForTests } from '@/env';
import { SESSION_COOKIE, revokeSessionToken, signSessionToken } from '@/server/auth/session';
import { FAKE_API_KEY, startFakePimsSync, type FakePimsSync } from '@/testing/fake-pims-sync';

/** The tRPC HTTP endpoint as the browser sees it: cookie auth, POST-only mutations, error bodies. */
const SECRET = 'route-test-secret-that-is-long-enough-0123456789';
let fake: FakePimsSync;
let handler: (req: Request) => Promise<Response>;
let cookie: string;
const clinicId = randomUUID();

beforeAll(async () => {
  fake = await startFakePimsSync();
  process.env.PIMS_SYNC_URL = fake.url;
  process.env.PIMS_SYNC_API_KEY = FAKE_API_KEY;
  process.env.AUTH_JWT_SECRET = SECRET;
  const route = await import('./route');
  handler = route.POST as (req: Request) => Promise<Response>;
  const { token } = await signSessionToken({ id: randomUUID(), email: 'admin@example.com' }, { secret: SECRET, ttlSeconds: 600 });
  cookie = `${SESSION_COOKIE}=${token}`;
});
afterAll(async () => {
  await fake.close();
  delete process.env.TRUST_PROXY;
  resetEnvForTests();
});
beforeEach(() => fake.reset());

const base = 'http://127.0.0.1:3000/api/trpc';
const mutate = (path: string, input: unknown, headers: Record<string, string> = {}) =>
  handler(new Request(`${base}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', host: '127.0.0.1:3000', ...headers }, body: JSON.stringify(input) }));
const query = (path: string, input: unknown, headers: Record<string, string> = {}) =>
  handler(new Request(`${base}/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { host: '127.0.0.1:3000', ...headers } }));

describe('/api/trpc', () => {
  it('refuses a request without the admin cookie (401 UNAUTHORIZED)', async () => {
    const res = await query('admin.sync.listClinics', undefined);
    expect(res.status).toBe(401);
    expect((await res.json()).error.data.code).toBe('UNAUTHORIZED');
    const m = await mutate('admin.sync.triggerFullSync', { clinicId });
    expect(m.status).toBe(401);
    expect(fake.requests).toHaveLength(0);
  });

  it('answers with the admin cookie', async () => {
    const res = await query('admin.sync.getActiveSyncs', {}, { cookie });
    expect(res.status).toBe(200);
    expect((await res.json()).result.data).toEqual([]);
  });

  it('runs mutations over POST only', async () => {
    const res = await query('admin.sync.triggerFullSync', { clinicId }, { cookie });
    expect(res.status).toBe(405);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a cross-site POST even with the cookie', async () => {
    const res = await mutate('admin.sync.triggerFullSync', { clinicId }, { cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(res.status).toBe(403);
    expect(fake.requests).toHaveLength(0);
  });

  it('a 409 reaches the browser as CONFLICT with the message and the running sync id', async () => {
    const activeSyncId = randomUUID();
    fake.on('POST', '/api/sync/full', () => ({ status: 409, body: { error: { code: 'sync_in_progress', message: 'busy', activeSyncId } } }));
    const res = await mutate('admin.sync.triggerFullSync', { clinicId }, { cookie, origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.message).toBe('A sync is already running for this clinic');
    expect(body.error.data).toMatchObject({ code: 'CONFLICT', activeSyncId });
    expect(body.error.data.stack).toBeUndefined();
  });

  it('input errors list the fields; internal errors do not leak their text', async () => {
    const bad = await mutate('admin.sync.triggerFullSync', { clinicId, lookbackDays: 91 }, { cookie });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error.data.inputIssues).toEqual([{ path: ['lookbackDays'], message: 'At most 90 days' }]);

    fake.on('GET', '/api/clinics', () => ({ status: 200, text: 'secret internals' }));
    const res = await query('admin.sync.listClinics', undefined, { cookie });
    expect(res.status).toBe(502);
    expect(JSON.stringify(await res.json())).not.toContain('secret internals');
  });

  describe('CSRF: the full origin, forwarded headers only with TRUST_PROXY', () => {
    const trigger = (headers: Record<string, string>) => mutate('admin.sync.triggerFullSync', { clinicId }, { cookie, ...headers });
    const queued = () => fake.on('POST', '/api/sync/full', () => ({ status: 202, body: { syncId: randomUUID(), status: 'queued' } }));

    it('refuses an Origin that matches only a forged X-Forwarded-Host, or differs in scheme or port', async () => {
      queued();
      const refused: Record<string, string>[] = [
        { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
        { origin: 'https://127.0.0.1:3000' },
        { origin: 'http://127.0.0.1:3001' },
        { referer: 'https://evil.example/form' },
      ];
      for (const headers of refused) {
        const res = await trigger(headers);
        expect(res.status, JSON.stringify(headers)).toBe(403);
        expect((await res.json()).error.code).toBe('FORBIDDEN');
      }
      expect(fake.requests).toHaveLength(0);
    });

    it('lets the same origin through (Origin, or Referer without Origin)', async () => {
      queued();
      expect((await trigger({ origin: 'http://127.0.0.1:3000' })).status).toBe(200);
      expect((await trigger({ referer: 'http://127.0.0.1:3000/dashboard/admin/sync' })).status).toBe(200);
      expect(fake.requests).toHaveLength(2);
    });

    it('with TRUST_PROXY, the proxy\'s X-Forwarded-Host / -Proto are the app\'s origin', async () => {
      queued();
      process.env.TRUST_PROXY = 'true';
      resetEnvForTests();
      try {
        const behindProxy = { origin: 'https://dash.example', 'x-forwarded-host': 'dash.example', 'x-forwarded-proto': 'https' };
        expect((await trigger(behindProxy)).status).toBe(200);
        expect((await trigger({ ...behindProxy, origin: 'http://127.0.0.1:3000' })).status).toBe(403);
      } finally {
        delete process.env.TRUST_PROXY;
        resetEnvForTests();
      }
      expect(fake.requests).toHaveLength(1);
    });
  });

  it('a batch of more than 10 calls is a 400 with a clear error; 10 pass', async () => {
    const batch = (n: number) => {
      const paths = Array.from({ length: n }, () => 'admin.sync.getActiveSyncs').join(',');
      const input = Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), {}]));
      return handler(new Request(`${base}/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { host: '127.0.0.1:3000', cookie } }));
    };
    const ten = await batch(10);
    expect(ten.status).toBe(200);
    expect(await ten.json()).toHaveLength(10);
    expect(fake.requests).toHaveLength(10);

    const eleven = await batch(11);
    expect(eleven.status).toBe(400);
    const body = await eleven.json();
    const error = (Array.isArray(body) ? body[0] : body).error;
    expect(error.message).toBe('Batch call exceeds maximum size');
    expect(error.data.code).toBe('BAD_REQUEST');
    expect(fake.requests).toHaveLength(10);
  });

  it('a signed-out token is refused (401), another session still answers', async () => {
    const user = { id: randomUUID(), email: 'admin@example.com' };
    const { token } = await signSessionToken(user, { secret: SECRET, ttlSeconds: 600 });
    const { token: other } = await signSessionToken(user, { secret: SECRET, ttlSeconds: 600 });
    expect((await query('admin.sync.getActiveSyncs', {}, { cookie: `${SESSION_COOKIE}=${token}` })).status).toBe(200);
    // What the sign-out action does with the cookie's token.
    expect(await revokeSessionToken(token, { secret: SECRET })).toBe(true);
    const replay = await query('admin.sync.getActiveSyncs', {}, { cookie: `${SESSION_COOKIE}=${token}` });
    expect(replay.status).toBe(401);
    expect((await replay.json()).error.data.code).toBe('UNAUTHORIZED');
    expect((await query('admin.sync.getActiveSyncs', {}, { authorization: `Bearer ${token}` })).status).toBe(401);
    expect((await query('admin.sync.getActiveSyncs', {}, { cookie: `${SESSION_COOKIE}=${other}` })).status).toBe(200);
  });
});
