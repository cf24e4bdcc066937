import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { SYNC_ALREADY_RUNNING_MESSAGE } from '@/server/api/errors';
import { createTRPCContext } from '@/server/api/trpc';
import { SESSION_COOKIE, signSessionToken } from '@/server/auth/session';
import { PimsSyncClient } from '@/server/pims-sync-client';
import { FAKE_API_KEY, sampleAudit, sampleClinic, startFakePimsSync, type FakePimsSync } from '@/testing/fake-pims-sync';

const SECRET = 'router-test-secret-that-is-long-enough-0123456789';
const ADMIN = { id: randomUUID(), email: 'admin@example.com' };
const clinicId = randomUUID();

let fake: FakePimsSync;
let client: PimsSyncClient;

beforeAll(async () => {
  fake = await startFakePimsSync();
  client = new PimsSyncClient({ baseUrl: fake.url, apiKey: FAKE_API_KEY, timeoutMs: 2_000 });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

async function callerWithToken(token: string | undefined, pimsSync = client) {
  const headers = new Headers();
  if (token) headers.set('cookie', `other=1; ${SESSION_COOKIE}=${token}`);
  return createCaller(await createTRPCContext({ headers, pimsSync, auth: { secret: SECRET } }));
}

async function adminCaller(pimsSync = client) {
  const { token } = await signSessionToken(ADMIN, { secret: SECRET, ttlSeconds: 600 });
  return callerWithToken(token, pimsSync);
}

async function trpcError(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TRPCError);
    return err as TRPCError;
  }
  throw new Error('expected the call to fail');
}

type Caller = Awaited<ReturnType<typeof adminCaller>>;
/** One call of every admin.sync procedure, with valid input. */
const everyProcedure: [string, (c: Caller) => Promise<unknown>][] = [
  ['listClinics', (c) => c.admin.sync.listClinics()],
  ['triggerFullSync', (c) => c.admin.sync.triggerFullSync({ clinicId })],
  ['triggerInboundSync', (c) => c.admin.sync.triggerInboundSync({ clinicId })],
  ['triggerCaseSync', (c) => c.admin.sync.triggerCaseSync({ clinicId })],
  ['triggerReconciliation', (c) => c.admin.sync.triggerReconciliation({ clinicId })],
  ['getActiveSyncs', (c) => c.admin.sync.getActiveSyncs({})],
  ['getSyncHistory', (c) => c.admin.sync.getSyncHistory({})],
  ['getSync', (c) => c.admin.sync.getSync({ syncId: randomUUID() })],
  ['cancelSync', (c) => c.admin.sync.cancelSync({ syncId: randomUUID() })],
];

describe('admin.sync access', () => {
  it.each(everyProcedure)('%s answers UNAUTHORIZED without a session', async (_name, call) => {
    const err = await trpcError(call(await callerWithToken(undefined)));
    expect(err.code).toBe('UNAUTHORIZED');
    expect(fake.requests).toHaveLength(0);
  });

  it.each(everyProcedure)('%s answers FORBIDDEN to a signed-in user who is not an admin', async (_name, call) => {
    const { token } = await signSessionToken({ id: randomUUID(), email: 'vet@example.com' }, { secret: SECRET, ttlSeconds: 600, appRole: 'user' });
    const err = await trpcError(call(await callerWithToken(token)));
    expect(err.code).toBe('FORBIDDEN');
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses forged, expired, wrong-audience and unsigned tokens as UNAUTHORIZED', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { email: ADMIN.email, role: 'authenticated', app_metadata: { role: 'admin' } };
    const sign = (secret: string, edit: (j: SignJWT) => SignJWT) =>
      edit(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(ADMIN.id).setIssuedAt(now)).sign(new TextEncoder().encode(secret));
    const forged = await sign('another-secret-another-secret-another-secret', (j) => j.setAudience('authenticated').setExpirationTime(now + 600));
    const expired = await sign(SECRET, (j) => j.setAudience('authenticated').setExpirationTime(now - 10));
    const wrongAudience = await sign(SECRET, (j) => j.setAudience('anon').setExpirationTime(now + 600));
    const noExp = await sign(SECRET, (j) => j.setAudience('authenticated'));
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: ADMIN.id, aud: 'authenticated', exp: now + 600 })}.`;
    const valid = (await signSessionToken(ADMIN, { secret: SECRET, ttlSeconds: 600 })).token;
    const tampered = `${valid.split('.')[0]}.${b64({ ...claims, sub: randomUUID(), aud: 'authenticated', exp: now + 600 })}.${valid.split('.')[2]}`;
    for (const token of [forged, expired, wrongAudience, noExp, unsigned, tampered, 'not-a-jwt']) {
      const err = await trpcError((await callerWithToken(token)).admin.sync.listClinics());
      expect(err.code, token).toBe('UNAUTHORIZED');
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('accepts a Supabase-shaped token signed with the shared secret (cookie or bearer)', async () => {
    fake.clinics = [sampleClinic({ id: clinicId })];
    const { token } = await signSessionToken(ADMIN, { secret: SECRET, ttlSeconds: 600 });
    expect(await (await callerWithToken(token)).admin.sync.listClinics()).toHaveLength(1);
    const bearer = createCaller(
      await createTRPCContext({ headers: new Headers({ authorization: `Bearer ${token}` }), pimsSync: client, auth: { secret: SECRET } }),
    );
    expect(await bearer.admin.sync.listClinics()).toHaveLength(1);
  });
});

describe('admin.sync.triggerFullSync', () => {
  it('sends the defaults, triggeredBy "admin", the admin e-mail and the API key', async () => {
    const caller = await adminCaller();
    const result = await caller.admin.sync.triggerFullSync({ clinicId });
    expect(result.started).toEqual([{ clinicId, clinicName: null, syncId: expect.any(String) }]);
    expect(result.alreadyRunning).toEqual([]);
    const [req] = fake.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/sync/full');
    expect(req.headers['x-api-key']).toBe(FAKE_API_KEY);
    expect(req.body).toEqual({ clinicId, backwardDays: 14, forwardDays: 14, triggeredBy: 'admin', requestedBy: ADMIN.email });
  });

  it('maps lookbackDays to backwardDays and accepts the edges 1 and 90', async () => {
    const caller = await adminCaller();
    await caller.admin.sync.triggerFullSync({ clinicId, lookbackDays: 1, forwardDays: 90 });
    await caller.admin.sync.triggerFullSync({ clinicId, lookbackDays: 90, forwardDays: 1 });
    expect(fake.requests.map((r) => r.body)).toMatchObject([
      { backwardDays: 1, forwardDays: 90 },
      { backwardDays: 90, forwardDays: 1 },
    ]);
  });

  it.each([
    [{ clinicId, lookbackDays: 0 }, 'lookbackDays'],
    [{ clinicId, lookbackDays: 91 }, 'lookbackDays'],
    [{ clinicId, forwardDays: 0 }, 'forwardDays'],
    [{ clinicId, forwardDays: 91 }, 'forwardDays'],
    [{ clinicId, lookbackDays: 2.5 }, 'lookbackDays'],
    [{ clinicId: 'not-a-uuid' }, 'clinicId'],
    [{ clinicId: '' }, 'clinicId'],
    [{ clinicId, extra: true }, ''],
  ])('rejects %j as BAD_REQUEST before calling pims-sync', async (input, field) => {
    const caller = await adminCaller();
    const err = await trpcError(caller.admin.sync.triggerFullSync(input as never));
    expect(err.code).toBe('BAD_REQUEST');
    if (field) expect(err.message).toContain(field);
    expect(fake.requests).toHaveLength(0);
  });

  it('maps 409 to CONFLICT "A sync is already running for this clinic" with the running sync id', async () => {
    const activeSyncId = randomUUID();
    fake.on('POST', '/api/sync/full', () => ({
      status: 409,
      body: { error: { code: 'sync_in_progress', message: 'clinic busy', activeSyncId } },
    }));
    const err = await trpcError((await adminCaller()).admin.sync.triggerFullSync({ clinicId }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe(SYNC_ALREADY_RUNNING_MESSAGE);
    expect((err.cause as { activeSyncId?: string }).activeSyncId).toBe(activeSyncId);
  });

  it('with "all" starts one sync per clinic and says which were already running', async () => {
    const [a, b, c] = [sampleClinic({ name: 'A' }), sampleClinic({ name: 'B' }), sampleClinic({ name: 'C' })];
    fake.clinics = [a, b, c];
    const busyId = randomUUID();
    fake.on('POST', '/api/sync/full', (req) =>
      (req.body as { clinicId: string }).clinicId === b.id
        ? { status: 409, body: { error: { code: 'sync_in_progress', message: 'busy', activeSyncId: busyId } } }
        : { status: 202, body: { syncId: randomUUID(), status: 'queued' } },
    );
    const result = await (await adminCaller()).admin.sync.triggerFullSync({ clinicId: 'all', lookbackDays: 3 });
    expect(result.started.map((s) => s.clinicName)).toEqual(['A', 'C']);
    expect(result.alreadyRunning).toEqual([{ clinicId: b.id, clinicName: 'B', activeSyncId: busyId }]);
    expect(result.failed).toEqual([]);
    const triggers = fake.requests.filter((r) => r.path === '/api/sync/full');
    expect(triggers).toHaveLength(3);
    expect(triggers.every((r) => (r.body as { backwardDays: number }).backwardDays === 3)).toBe(true);
  });

  it('with "all" and no clinic registered answers PRECONDITION_FAILED', async () => {
    const err = await trpcError((await adminCaller()).admin.sync.triggerFullSync({ clinicId: 'all' }));
    expect(err.code).toBe('PRECONDITION_FAILED');
  });
});

describe('the individual operations', () => {
  it('triggerInboundSync, triggerCaseSync and triggerReconciliation send their own bodies', async () => {
    const caller = await adminCaller();
    await caller.admin.sync.triggerInboundSync({ clinicId, forwardDays: 30 });
    await caller.admin.sync.triggerCaseSync({ clinicId, lookbackDays: 5 });
    await caller.admin.sync.triggerReconciliation({ clinicId, lookbackDays: 30, allowMassDelete: true });
    await caller.admin.sync.triggerReconciliation({ clinicId });
    expect(fake.requests.map((r) => [r.path, r.body])).toEqual([
      ['/api/sync/inbound', { clinicId, forwardDays: 30, triggeredBy: 'admin', requestedBy: ADMIN.email }],
      ['/api/sync/cases', { clinicId, backwardDays: 5, triggeredBy: 'admin', requestedBy: ADMIN.email }],
      ['/api/sync/reconcile', { clinicId, lookbackDays: 30, allowMassDelete: true, triggeredBy: 'admin', requestedBy: ADMIN.email }],
      ['/api/sync/reconcile', { clinicId, lookbackDays: 7, allowMassDelete: false, triggeredBy: 'admin', requestedBy: ADMIN.email }],
    ]);
  });

  it.each([
    ['triggerInboundSync', (c: Caller) => c.admin.sync.triggerInboundSync({ clinicId, forwardDays: 91 })],
    ['triggerInboundSync', (c: Caller) => c.admin.sync.triggerInboundSync({ clinicId, forwardDays: 0 })],
    ['triggerCaseSync', (c: Caller) => c.admin.sync.triggerCaseSync({ clinicId, lookbackDays: 0 })],
    ['triggerCaseSync', (c: Caller) => c.admin.sync.triggerCaseSync({ clinicId: 'nope' })],
    ['triggerReconciliation', (c: Caller) => c.admin.sync.triggerReconciliation({ clinicId, lookbackDays: 31 })],
    ['triggerReconciliation', (c: Caller) => c.admin.sync.triggerReconciliation({ clinicId, lookbackDays: 0 })],
    ['getSync', (c: Caller) => c.admin.sync.getSync({ syncId: 'not-a-uuid' })],
    ['cancelSync', (c: Caller) => c.admin.sync.cancelSync({ syncId: '123' })],
    ['getSyncHistory', (c: Caller) => c.admin.sync.getSyncHistory({ limit: 0 })],
    ['getSyncHistory', (c: Caller) => c.admin.sync.getSyncHistory({ limit: 101 })],
    ['getSyncHistory', (c: Caller) => c.admin.sync.getSyncHistory({ type: 'weekly' as never })],
    ['getActiveSyncs', (c: Caller) => c.admin.sync.getActiveSyncs({ clinicId: 'x' })],
  ])('%s rejects bad input as BAD_REQUEST', async (_name, call) => {
    const err = await trpcError(call(await adminCaller()));
    expect(err.code).toBe('BAD_REQUEST');
    expect(fake.requests).toHaveLength(0);
  });

  it('maps 409 to CONFLICT for every trigger', async () => {
    fake.on('POST', /^\/api\/sync\//, () => ({ status: 409, body: { error: { code: 'sync_in_progress', message: 'busy', activeSyncId: randomUUID() } } }));
    const caller = await adminCaller();
    for (const call of [
      () => caller.admin.sync.triggerInboundSync({ clinicId }),
      () => caller.admin.sync.triggerCaseSync({ clinicId }),
      () => caller.admin.sync.triggerReconciliation({ clinicId }),
    ]) {
      const err = await trpcError(call());
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toBe(SYNC_ALREADY_RUNNING_MESSAGE);
    }
  });
});

describe('queries', () => {
  it('getSyncHistory passes filters, limit and cursor and returns the validated page', async () => {
    const item = sampleAudit({ clinicId, status: 'partial', errorMessage: 'Case enrichment failed' });
    fake.on('GET', '/api/sync/history', () => ({ status: 200, body: { items: [item], nextCursor: 'c2' } }));
    const page = await (await adminCaller()).admin.sync.getSyncHistory({ clinicId, type: 'full', status: 'partial', limit: 5, cursor: 'c1' });
    expect(page).toEqual({ items: [item], nextCursor: 'c2' });
    expect(fake.requests[0].query).toEqual({ clinicId, type: 'full', status: 'partial', limit: '5', cursor: 'c1' });
  });

  it('getActiveSyncs returns the items with live progress', async () => {
    const running = sampleAudit({ status: 'in_progress', currentPhase: 'case_enrichment', progressPercentage: 40, completedAt: null });
    fake.on('GET', '/api/sync/active', () => ({ status: 200, body: { items: [running] } }));
    expect(await (await adminCaller()).admin.sync.getActiveSyncs({})).toEqual([running]);
  });

  it('getSync maps 404 to NOT_FOUND; cancelSync answers the cancel state', async () => {
    const missing = randomUUID();
    fake.on('GET', `/api/sync/${missing}`, () => ({ status: 404, body: { error: { code: 'not_found', message: 'Sync not found' } } }));
    const caller = await adminCaller();
    const err = await trpcError(caller.admin.sync.getSync({ syncId: missing }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('Sync not found');
    const syncId = randomUUID();
    expect(await caller.admin.sync.cancelSync({ syncId })).toEqual({ syncId, status: 'in_progress', cancelRequested: true });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: `/api/sync/${syncId}/cancel` });
  });
});

describe('pims-sync failures', () => {
  it('maps 400 to BAD_REQUEST with its message', async () => {
    fake.on('POST', '/api/sync/full', () => ({ status: 400, body: { error: { code: 'validation_error', message: 'Unknown clinic', issues: [] } } }));
    const err = await trpcError((await adminCaller()).admin.sync.triggerFullSync({ clinicId }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe('Unknown clinic');
  });

  it('a refused API key is a server configuration error, not the admin being signed out', async () => {
    const wrongKey = new PimsSyncClient({ baseUrl: fake.url, apiKey: 'wrong' });
    const err = await trpcError((await adminCaller(wrongKey)).admin.sync.listClinics());
    expect(err.code).toBe('INTERNAL_SERVER_ERROR');
    expect(err.message).toMatch(/API key/);
  });

  it('an answer outside the contract is BAD_GATEWAY; a 500 is BAD_GATEWAY without its text', async () => {
    fake.on('GET', '/api/sync/active', () => ({ status: 200, body: { items: [{ id: 'nope' }] } }));
    fake.on('GET', '/api/clinics', () => ({ status: 500, body: { error: { code: 'internal', message: 'password=hunter2 leaked' } } }));
    const caller = await adminCaller();
    expect((await trpcError(caller.admin.sync.getActiveSyncs({}))).code).toBe('BAD_GATEWAY');
    const err = await trpcError(caller.admin.sync.listClinics());
    expect(err.code).toBe('BAD_GATEWAY');
    expect(err.message).not.toContain('hunter2');
  });

  it('an unreachable pims-sync is SERVICE_UNAVAILABLE', async () => {
    const down = new PimsSyncClient({ baseUrl: 'http://127.0.0.1:9', apiKey: FAKE_API_KEY, timeoutMs: 1_000 });
    const err = await trpcError((await adminCaller(down)).admin.sync.listClinics());
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
  });
});
